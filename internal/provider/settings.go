package provider

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// Provider settings: each comes from the configuration, else from AUTHTOKEN_<NAME>, else its default.

const (
	settingEnvPrefix = "AUTHTOKEN_"
	// maxRetriesLimit bounds max_retries: more retries only delay a diagnostic the user needs.
	maxRetriesLimit = 10
)

type providerModel struct {
	RequestTimeout types.String `tfsdk:"request_timeout"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	CACertPEM      types.String `tfsdk:"ca_cert_pem"`
	ProxyURL       types.String `tfsdk:"proxy_url"`
	ReuseTokens    types.Bool   `tfsdk:"reuse_tokens"`
	MinValidity    types.String `tfsdk:"min_validity"`
}

// clientConfig resolves the settings into a grant.Config; base holds what is not a setting
// (User-Agent, logging).
func (m providerModel) clientConfig(base grant.Config) (grant.Config, diag.Diagnostics) {
	var diags diag.Diagnostics
	cfg := base
	cfg.Timeout = resolve(&diags, "request_timeout", m.RequestTimeout,
		func(v types.String) (time.Duration, error) { return parsePositiveDuration(v.ValueString()) }, parsePositiveDuration, grant.DefaultTimeout)
	cfg.MaxRetries = resolve(&diags, "max_retries", m.MaxRetries,
		func(v types.Int64) (int, error) { return int(v.ValueInt64()), nil }, parseMaxRetries, grant.DefaultMaxRetries)
	cfg.CACertPEM = resolve(&diags, "ca_cert_pem", m.CACertPEM, stringValue, parseText, "")
	cfg.ProxyURL = resolve(&diags, "proxy_url", m.ProxyURL, stringValue, parseText, "")
	cfg.ReuseTokens = resolve(&diags, "reuse_tokens", m.ReuseTokens,
		func(v types.Bool) (bool, error) { return v.ValueBool(), nil }, parseBool, true)
	return cfg, diags
}

// configValue is what the framework's types.String, Int64 and Bool have in common.
type configValue interface {
	IsNull() bool
	IsUnknown() bool
}

// resolve returns the configured value, else the environment's parsed with parse, else def.
func resolve[V configValue, T any](diags *diag.Diagnostics, name string, v V, value func(V) (T, error), parse func(string) (T, error), def T) T {
	env := settingEnvPrefix + strings.ToUpper(name)
	switch {
	case v.IsUnknown():
		diags.AddAttributeError(path.Root(name), "Provider setting not known at plan",
			name+" depends on a value that is only known after apply. Provider settings must be known "+
				"when planning; use a literal, a variable or the "+env+" environment variable.")
		return def
	case !v.IsNull():
		configured, err := value(v)
		if err != nil {
			diags.AddAttributeError(path.Root(name), "Invalid "+name, fmt.Sprintf("%s %s", name, err))
			return def
		}
		return configured
	}
	raw := os.Getenv(env)
	if raw == "" {
		return def
	}
	parsed, err := parse(raw)
	if err != nil {
		diags.AddAttributeError(path.Root(name), "Invalid "+name, fmt.Sprintf("%s (from %s) %s", name, env, err))
		return def
	}
	return parsed
}

func stringValue(v types.String) (string, error) { return v.ValueString(), nil }

// empty reports a configuration that sets no setting: no provider block, or an empty one.
func (m providerModel) empty() bool {
	for _, v := range []configValue{m.RequestTimeout, m.MaxRetries, m.CACertPEM, m.ProxyURL, m.ReuseTokens, m.MinValidity} {
		if !v.IsNull() {
			return false
		}
	}
	return true
}

// minValidity is the provider's min_validity, every block's default.
func (m providerModel) minValidity() (time.Duration, diag.Diagnostics) {
	var diags diag.Diagnostics
	d := resolve(&diags, "min_validity", m.MinValidity,
		func(v types.String) (time.Duration, error) { return parseMinValidity(v.ValueString()) }, parseMinValidity, 0)
	return d, diags
}

func parseText(s string) (string, error) { return s, nil }

// parseDuration reads a Go duration such as "30s" or "2m": positive, or also zero with allowZero.
func parseDuration(v string, allowZero bool) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	switch {
	case err == nil && (d > 0 || (allowZero && d == 0)):
		return d, nil
	case allowZero:
		return 0, fmt.Errorf("must be a duration such as \"45m\", or \"0s\" for none, not %q", v)
	}
	return 0, fmt.Errorf("must be a positive duration such as \"30s\" or \"2m\", not %q", v)
}

func parsePositiveDuration(v string) (time.Duration, error) { return parseDuration(v, false) }

func parseMinValidity(v string) (time.Duration, error) { return parseDuration(v, true) }

func parseMaxRetries(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > maxRetriesLimit {
		return 0, fmt.Errorf("must be a whole number from 0 to %d, not %q", maxRetriesLimit, v)
	}
	return n, nil
}
