package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// logAttempt logs every HTTP attempt of a grant. grant.Attempt holds no secret, and ctx carries
// the masks fetch registered for this grant's secrets.
func logAttempt(ctx context.Context, a grant.Attempt) {
	fields := map[string]any{
		"api": a.API.Name, "host": a.Host, "attempt": a.Number,
		"status": a.Status, "elapsed_ms": a.Elapsed.Milliseconds(),
	}
	switch {
	case a.Err == "":
		tflog.Debug(ctx, "Token request succeeded", fields)
	case a.Retry:
		fields["error"], fields["retry_in_ms"] = a.Err, a.Delay.Milliseconds()
		tflog.Warn(ctx, "Token request failed; retrying", fields)
	default:
		fields["error"] = a.Err
		tflog.Debug(ctx, "Token request failed", fields)
	}
}
