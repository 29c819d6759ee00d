package provider

import (
	"errors"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// grantErrorDiagnostic turns a grant failure into a diagnostic: a summary with the API, status
// and OAuth error; then what to check; then the error itself. Grant errors hold no secret.
func grantErrorDiagnostic(t tokenType, err error) diag.Diagnostic {
	var ge *grant.Error
	if !errors.As(err, &ge) {
		return diag.NewErrorDiagnostic(t.api.Title()+" token request failed", err.Error())
	}
	summary := ge.API.Title() + " token request failed"
	switch {
	case ge.Status != 0 && ge.Code != "":
		summary += ": HTTP " + strconv.Itoa(ge.Status) + " " + ge.Code
	case ge.Status != 0:
		summary += ": HTTP " + strconv.Itoa(ge.Status)
	case ge.Kind == grant.KindTimeout:
		summary += ": timed out"
	case ge.Kind == grant.KindTransport:
		summary += ": no answer from " + ge.Host
	}
	return diag.NewErrorDiagnostic(summary, ge.Hint()+"\n\n"+ge.Error())
}
