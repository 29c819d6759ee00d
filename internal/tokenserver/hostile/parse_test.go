package hostile_test

import (
	"strings"
	"testing"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver/hostile"
)

func TestParseFault(t *testing.T) {
	for spec, want := range map[string]hostile.Fault{
		"api=tenn,status=503,times=2,retry-after=3":                 {FailWith: hostile.Fail503, FailTimes: 2, RetryAfter: "3"},
		"api=tenn,status=502":                                       {FailWith: hostile.FailHTML502, FailTimes: hostile.Always},
		"api=tenn,fail=reset,times=always":                          {FailWith: hostile.FailReset, FailTimes: hostile.Always},
		"api=tenn, fail=429, for=30s":                               {FailWith: hostile.Fail429, FailTimes: hostile.Always, FailFor: 30 * time.Second},
		"api=tenn,delay=1500ms":                                     {Delay: 1500 * time.Millisecond},
		"delay=2s,api=tenn,fail=echo-credentials":                   {Delay: 2 * time.Second, FailWith: hostile.FailEchoCredentials, FailTimes: hostile.Always},
		"api=tenn,fail=rate-limit-exhausted,retry-after=30,times=1": {FailWith: hostile.FailRateLimitExhausted, FailTimes: 1, RetryAfter: "30"},
		"api=tenn,fail=secondary-rate-limit,for=1m":                 {FailWith: hostile.FailSecondaryRateLimit, FailTimes: hostile.Always, FailFor: time.Minute},
	} {
		api, got, err := hostile.ParseFault(spec)
		if err != nil || api != tokenserver.Tenn || got != want {
			t.Errorf("ParseFault(%q) = %s, %+v, %v; want tenn, %+v", spec, api, got, err, want)
		}
	}
	// Every failure's name parses back to it.
	for _, name := range hostile.Failures() {
		if _, f, err := hostile.ParseFault("api=oauth2,fail=" + name); err != nil || f.FailWith.String() != name {
			t.Errorf("fail=%s: %v, %v", name, f.FailWith, err)
		}
	}
	for spec, want := range map[string]string{
		"":                             "key=value",
		"status=503":                   "no api=",
		"api=nope,status=503":          "unknown API; the APIs are",
		"api=tenn":                     "give fail=, status= or delay=",
		"api=tenn,status=404":          "status must be one of",
		"api=tenn,fail=boom":           "the failures are 503, reset,",
		"api=tenn,fail=503,times=0":    "positive number or always",
		"api=tenn,fail=503,times=two":  "times=two",
		"api=tenn,delay=soon":          "duration such as 2s",
		"api=tenn,delay=2s,times=2":    "need a fail= or status=",
		"api=tenn,fail=503,colour=red": "unknown key",
		"api=tenn,fail=rate-limit-exhausted,retry-after=soon": "rate-limit-exhausted takes seconds",
		"api=tenn,fail=secondary-rate-limit,retry-after=1.5":  "secondary-rate-limit takes seconds",
	} {
		if _, _, err := hostile.ParseFault(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseFault(%q) = %v, want an error with %q", spec, err, want)
		}
	}
}
