// Command outage measures what an outage of one token endpoint costs through terraform
// (BENCHMARKS.md, "Outages"): `terraform plan` of N distinct tenn_token blocks (one user each, so
// nothing is coalesced) against a token endpoint that answers 502, or whose port is closed. It
// builds the provider from -src, serves the token server (with its faults, internal/tokenserver/hostile) on loopback in this process, and reports
// for each plan the seconds until terraform gave up, the requests the token server saw and the
// attempts the provider logged. A measurement: it fails only when a plan succeeds.
//
//	go run ./internal/bench/outage                      # this tree, 50 blocks, 3 plans per case
//	go run ./internal/bench/outage -src /path/to/other  # the same against another checkout
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "outage:", err)
		os.Exit(1)
	}
}

func run() error {
	src := flag.String("src", ".", "the provider's source `directory` to build")
	blocks := flag.Int("blocks", 50, "distinct tenn_token blocks per plan")
	runs := flag.Int("runs", 3, "plans per case")
	flag.Parse()

	work, err := os.MkdirTemp("", "outage-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	build := exec.Command("go", "build", "-o", filepath.Join(work, "bin", "terraform-provider-authtoken"), ".") //nolint:gosec // G204: the path is our own temp dir
	build.Dir, build.Stdout, build.Stderr = *src, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the provider in %s: %w", *src, err)
	}
	rc := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(rc, fmt.Appendf(nil, "provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
		"registry.terraform.io/authtoken/authtoken", filepath.Join(work, "bin")), 0o600); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	server := hostile.New(tokenserver.DefaultConfig())
	server.SetFault(tokenserver.Tenn, hostile.Fault{FailTimes: hostile.Always, FailWith: hostile.FailHTML502})
	httpServer := &http.Server{Handler: server, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = httpServer.Serve(ln) }()
	defer httpServer.Close()

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	fmt.Printf("terraform plan, %d distinct tenn_token blocks, default -parallelism (10), provider from %s\n", *blocks, *src)
	fmt.Printf("%-12s %9s %9s %9s %7s\n", "endpoint", "seconds", "requests", "attempts", "errors")
	for _, c := range []struct{ name, base string }{{"502", "http://" + ln.Addr().String()}, {"closed port", "http://" + closedAddr}} {
		dir := filepath.Join(work, strings.ReplaceAll(c.name, " ", "-"))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config(c.base, *blocks)), 0o600); err != nil {
			return err
		}
		var seconds []float64
		for range *runs {
			before := server.Requests(tokenserver.Tenn)
			took, attempts, errs, err := plan(dir, rc)
			if err != nil {
				return err
			}
			seconds = append(seconds, took.Seconds())
			requests := "-"
			if c.name == "502" {
				requests = fmt.Sprint(server.Requests(tokenserver.Tenn) - before)
			}
			fmt.Printf("%-12s %9.2f %9s %9d %7d\n", c.name, took.Seconds(), requests, attempts, errs)
		}
		slices.Sort(seconds)
		fmt.Printf("%-12s median %.2f s\n", c.name, seconds[len(seconds)/2])
	}
	return nil
}

// config is n tenn_token blocks against base, each with a user of its own.
func config(base string, n int) string {
	var b strings.Builder
	b.WriteString("terraform {\n  required_providers {\n    tenn = { source = \"authtoken/authtoken\" }\n  }\n}\n")
	for i := range n {
		fmt.Fprintf(&b, "\nephemeral \"tenn_token\" \"user%d\" {\n  token_url     = %q\n  client_id     = %q\n  client_secret = %q\n"+
			"  username      = \"user%d@example.com\"\n  password      = \"bench-password-%d\"\n}\n",
			i, tokenserver.TokenURL(base, tokenserver.Tenn), tokenserver.TennClientID, tokenserver.TennClientSecret, i, i)
	}
	return b.String()
}

// plan runs terraform plan in dir, which must fail, and returns how long it took, the attempts the
// provider logged and the errors terraform printed.
func plan(dir, rc string) (took time.Duration, attempts, errs int, err error) {
	logPath := filepath.Join(dir, "provider.log")
	_ = os.Remove(logPath)
	cmd := exec.Command("terraform", "plan", "-input=false", "-no-color", "-lock=false")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"TF_LOG=", "TF_LOG_PROVIDER=DEBUG", "TF_LOG_PATH="+logPath)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	runErr := cmd.Run()
	took = time.Since(start)
	var exit *exec.ExitError
	if !errors.As(runErr, &exit) {
		return 0, 0, 0, fmt.Errorf("terraform plan in %s: want it to fail, got %v\n%s", dir, runErr, out.String())
	}
	log, _ := os.ReadFile(logPath) //nolint:gosec // G304: a file in our own temp dir
	attempts = bytes.Count(log, []byte("Token request failed"))
	errs = bytes.Count(out.Bytes(), []byte("Error: "))
	return took, attempts, errs, nil
}
