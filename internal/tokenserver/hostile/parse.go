package hostile

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/authtoken/terraform-provider-authtoken/internal/tokenserver"
)

// FaultSyntax describes what ParseFault reads, for a command's usage text.
const FaultSyntax = "api=NAME[,fail=FAILURE|status=CODE][,times=N|always][,for=DURATION][,retry-after=VALUE][,delay=DURATION]"

// statusFailures are the failures a plain status=CODE names.
var statusFailures = map[string]Failure{
	"429": Fail429, "500": Fail500, "501": Fail501, "502": FailHTML502, "503": Fail503,
}

// Failures lists the names ParseFault takes as fail=, in order.
func Failures() []string { return slices.Clone(failureNames[1:]) }

// ParseFault reads a fault for one API from comma-separated key=value pairs (FaultSyntax), as
// the tokenserver command's -fault flag takes them: "api=tenn,status=503,times=2,retry-after=3"
// fails the next two Tenn token requests with a 503 and Retry-After: 3. A failure with neither
// times nor for fails every request; times=N with for= ends at whichever comes first.
func ParseFault(spec string) (tokenserver.API, Fault, error) {
	var (
		api      tokenserver.API
		f        Fault
		timesSet bool
	)
	for pair := range strings.SplitSeq(spec, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || value == "" {
			return "", Fault{}, fmt.Errorf("%q: want key=value pairs separated by commas: %s", pair, FaultSyntax)
		}
		var err error
		switch key {
		case "api":
			api = tokenserver.API(value)
			if !slices.Contains(tokenserver.APIs, api) {
				err = fmt.Errorf("unknown API; the APIs are %s", tokenserver.APINames())
			}
		case "fail":
			f.FailWith, err = parseFailure(value)
		case "status":
			var ok bool
			if f.FailWith, ok = statusFailures[value]; !ok {
				err = fmt.Errorf("status must be one of 429, 500, 501, 502 or 503; fail= names the other failures")
			}
		case "times":
			timesSet = true
			if value == "always" {
				f.FailTimes = Always
			} else if f.FailTimes, err = strconv.Atoi(value); err == nil && f.FailTimes < 1 {
				err = fmt.Errorf("must be a positive number or always")
			}
		case "for":
			f.FailFor, err = parseDuration(value)
		case "delay":
			f.Delay, err = parseDuration(value)
		case "retry-after":
			f.RetryAfter = value
		default:
			err = fmt.Errorf("unknown key; the keys are api, fail, status, times, for, retry-after and delay")
		}
		if err != nil {
			return "", Fault{}, fmt.Errorf("%s=%s: %w", key, value, err)
		}
	}
	switch {
	case api == "":
		return "", Fault{}, fmt.Errorf("no api=: name the API to disturb (%s)", tokenserver.APINames())
	case f.FailWith == FailNone && f.Delay == 0:
		return "", Fault{}, fmt.Errorf("api=%s: give fail=, status= or delay=", api)
	case f.FailWith == FailNone && (timesSet || f.FailFor > 0 || f.RetryAfter != ""):
		return "", Fault{}, fmt.Errorf("api=%s: times, for and retry-after need a fail= or status=", api)
	case (f.FailWith == FailRateLimitExhausted || f.FailWith == FailSecondaryRateLimit) && f.RetryAfter != "" && !isSeconds(f.RetryAfter):
		return "", Fault{}, fmt.Errorf("api=%s: retry-after=%s: %s takes seconds, such as 30", api, f.RetryAfter, f.FailWith)
	case f.FailWith != FailNone && !timesSet:
		f.FailTimes = Always
	}
	return api, f, nil
}

func parseFailure(name string) (Failure, error) {
	if i := slices.Index(failureNames[:], name); i > 0 {
		return Failure(i), nil
	}
	return FailNone, fmt.Errorf("unknown failure; the failures are %s", strings.Join(Failures(), ", "))
}

func parseDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err == nil && d <= 0 {
		err = fmt.Errorf("must be positive")
	}
	if err != nil {
		return 0, fmt.Errorf("want a duration such as 2s or 1m: %w", err)
	}
	return d, nil
}

// isSeconds reports whether v is a whole number of seconds, as GitHub's rate limit answers take.
func isSeconds(v string) bool {
	n, err := strconv.Atoi(v)
	return err == nil && n >= 0
}
