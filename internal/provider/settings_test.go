package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

func nullSettings() providerModel {
	return providerModel{RequestTimeout: types.StringNull(), MaxRetries: types.Int64Null(), CACertPEM: types.StringNull(),
		ProxyURL: types.StringNull(), ReuseTokens: types.BoolNull()}
}

// TestSettingsResolution: configuration first, then AUTHTOKEN_<NAME>, then the default.
func TestSettingsResolution(t *testing.T) {
	for _, name := range []string{"REQUEST_TIMEOUT", "MAX_RETRIES", "CA_CERT_PEM", "PROXY_URL", "REUSE_TOKENS"} {
		t.Setenv(settingEnvPrefix+name, "")
	}
	cfg, diags := nullSettings().clientConfig(grant.Config{UserAgent: "ua"})
	if diags.HasError() || cfg.Timeout != grant.DefaultTimeout || cfg.MaxRetries != grant.DefaultMaxRetries ||
		!cfg.ReuseTokens || cfg.UserAgent != "ua" {
		t.Errorf("defaults: %+v %v", cfg, diags)
	}

	t.Setenv("AUTHTOKEN_REQUEST_TIMEOUT", "2m")
	t.Setenv("AUTHTOKEN_MAX_RETRIES", "5")
	t.Setenv("AUTHTOKEN_REUSE_TOKENS", "false")
	t.Setenv("AUTHTOKEN_PROXY_URL", "http://proxy.example.com:3128")
	cfg, diags = nullSettings().clientConfig(grant.Config{})
	if diags.HasError() || cfg.Timeout != 2*time.Minute || cfg.MaxRetries != 5 || cfg.ReuseTokens ||
		cfg.ProxyURL != "http://proxy.example.com:3128" {
		t.Errorf("from the environment: %+v %v", cfg, diags)
	}

	m := nullSettings()
	m.RequestTimeout, m.MaxRetries, m.ReuseTokens = types.StringValue("5s"), types.Int64Value(0), types.BoolValue(true)
	cfg, diags = m.clientConfig(grant.Config{})
	if diags.HasError() || cfg.Timeout != 5*time.Second || cfg.MaxRetries != 0 || !cfg.ReuseTokens {
		t.Errorf("configuration wins over the environment: %+v %v", cfg, diags)
	}
}

// TestSettingsErrors: a bad value from the environment or an unknown one is an error on the
// setting that names where it came from.
func TestSettingsErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		env, value string
		model      func(*providerModel)
		want       string
	}{
		"timeout from env":    {env: "AUTHTOKEN_REQUEST_TIMEOUT", value: "-5s", want: "request_timeout (from AUTHTOKEN_REQUEST_TIMEOUT) must be a positive duration"},
		"retries from env":    {env: "AUTHTOKEN_MAX_RETRIES", value: "11", want: "must be a whole number from 0 to 10"},
		"reuse from env":      {env: "AUTHTOKEN_REUSE_TOKENS", value: "maybe", want: "reuse_tokens (from AUTHTOKEN_REUSE_TOKENS)"},
		"unknown at plan":     {model: func(m *providerModel) { m.ProxyURL = types.StringUnknown() }, want: "only known after apply"},
		"configured duration": {model: func(m *providerModel) { m.RequestTimeout = types.StringValue("soon") }, want: "positive duration"},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv(tc.env, tc.value)
			}
			m := nullSettings()
			if tc.model != nil {
				tc.model(&m)
			}
			_, diags := m.clientConfig(grant.Config{})
			if !diags.HasError() || !strings.Contains(diags[0].Detail(), tc.want) {
				t.Errorf("diagnostics %v, want an error containing %q", diags, tc.want)
			}
		})
	}
}
