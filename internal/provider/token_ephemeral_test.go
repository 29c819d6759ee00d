package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// TestRenewWarning: Renew cannot return a new token, so it warns: the type, the expiry, what
// fails after it, and min_validity as the fix.
func TestRenewWarning(t *testing.T) {
	at := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	d := tennToken.expiryWarning(at)
	if d.Severity() != diag.SeverityWarning {
		t.Fatalf("severity %v, want a warning", d.Severity())
	}
	text := d.Summary() + " " + d.Detail()
	for _, want := range []string{"tenn_token", "2030-05-06T07:08:09Z", "fails after that", "min_validity"} {
		if !strings.Contains(text, want) {
			t.Errorf("the warning does not say %q: %s", want, text)
		}
	}
}

// TestRenewAt: a safety margin before expiry, a tenth of the time left within 30 s and 5 min.
func TestRenewAt(t *testing.T) {
	now := time.Now()
	for left, margin := range map[time.Duration]time.Duration{
		time.Minute: 30 * time.Second, 20 * time.Minute: 2 * time.Minute, 24 * time.Hour: 5 * time.Minute,
	} {
		if got := now.Add(left).Sub(renewAt(now, now.Add(left))); got != margin {
			t.Errorf("%v left: renews %v before expiry, want %v", left, got, margin)
		}
	}
}
