package grant

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkRedactErrorBody: how the cost of making an error body safe to show grows with the
// body. It reads only what a diagnostic quotes (plus a window), so 200 KiB and 1 MiB bodies cost
// about what a 20 KiB one does (BENCHMARKS.md).
func BenchmarkRedactErrorBody(b *testing.B) {
	secrets := []string{"Ttest@2Sé-Kennwort", "43579AF6F9BF4E259BD58F3DA730A717", basicCredentials("TennTesting", "43579AF6F9BF4E259BD58F3DA730A717")}
	for _, size := range []int{2 << 10, 20 << 10, 200 << 10, 1 << 20} {
		body := strings.Repeat("<p>gateway error \x1b[0m Ttest@2S\u200bé-Kennwort </p>", size/48+1)[:size]
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			red := newRedactor(secrets)
			red.text(body, 120) // compile the expression outside the timing
			b.SetBytes(int64(size))
			b.ResetTimer()
			for b.Loop() {
				red.text(body, 120)
			}
		})
	}
}
