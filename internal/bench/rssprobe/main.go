//go:build unix

// Command rssprobe measures a provider process for `make bench` (scripts/bench.sh). The bench's
// measuring CLI configuration points dev_overrides at a directory that holds this program under
// the provider's name. It runs the real provider, $AUTHTOKEN_BENCH_PROVIDER, as its child with
// the same arguments, stdin, stdout, stderr and environment (the plugin handshake passes straight
// through), forwards SIGINT, SIGTERM and SIGHUP to it, and when the child ends appends
// "<peak RSS KiB> <CPU seconds>" (user plus system, from wait4's rusage) to
// $AUTHTOKEN_BENCH_RSS_FILE. It exits with the child's status.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

func main() {
	os.Exit(run())
}

func run() int {
	provider, rssFile := os.Getenv("AUTHTOKEN_BENCH_PROVIDER"), os.Getenv("AUTHTOKEN_BENCH_RSS_FILE")
	if provider == "" || rssFile == "" {
		fmt.Fprintln(os.Stderr, "rssprobe: AUTHTOKEN_BENCH_PROVIDER and AUTHTOKEN_BENCH_RSS_FILE must be set")
		return 1
	}

	cmd := exec.Command(provider, os.Args[1:]...) //nolint:gosec // G204: running the provider the bench names is the point
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "rssprobe:", err)
		return 1
	}
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s) // fails only once the child is gone
		}
	}()

	waitErr := cmd.Wait()
	if err := record(rssFile, cmd.ProcessState); err != nil {
		fmt.Fprintln(os.Stderr, "rssprobe:", err)
	}
	var exit *exec.ExitError
	switch {
	case errors.As(waitErr, &exit):
		return max(exit.ExitCode(), 1) // -1 when a signal ended it
	case waitErr != nil:
		fmt.Fprintln(os.Stderr, "rssprobe:", waitErr)
		return 1
	}
	return 0
}

// record appends the ended child's peak RSS in KiB and its CPU time in seconds to path.
func record(path string, state *os.ProcessState) error {
	ru, ok := state.SysUsage().(*syscall.Rusage)
	if !ok {
		return fmt.Errorf("no rusage for the provider process (%T)", state.SysUsage())
	}
	maxRSSKiB := ru.Maxrss
	if runtime.GOOS == "darwin" { // bytes there, KiB on Linux and the BSDs
		maxRSSKiB /= 1024
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())

	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600) //nolint:gosec // G304, G703: writing the file the bench names is the point
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%d %.3f\n", maxRSSKiB, cpu.Seconds())
	return errors.Join(err, f.Close())
}
