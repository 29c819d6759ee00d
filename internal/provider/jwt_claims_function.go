package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/authtoken/terraform-provider-authtoken/internal/grant"
)

// jwtClaimsFunction is provider::authtoken::jwt_claims(token): a JWT's claims, decoded without
// verifying the signature. Terraform carries the argument's marks to the result: a sensitive
// token gives a sensitive object, an ephemeral one an ephemeral object.
type jwtClaimsFunction struct{}

var _ function.Function = jwtClaimsFunction{}

var jwtClaimsTypes = map[string]attr.Type{
	"iss": types.StringType, "sub": types.StringType, "aud": types.ListType{ElemType: types.StringType},
	"exp": types.StringType, "nbf": types.StringType, "iat": types.StringType, "jti": types.StringType,
	"scopes": types.ListType{ElemType: types.StringType}, "claims": types.StringType,
}

func (jwtClaimsFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "jwt_claims"
}

func (jwtClaimsFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Decodes a JWT's claims, without verifying it",
		MarkdownDescription: "Decodes the payload of a JSON Web Token **without verifying its signature**: use it to " +
			"read what a token you obtained yourself says (its expiry, scopes, subject), never to decide whether to " +
			"trust a token. Returns `iss`, `sub`, `aud` (always a list), `exp`, `nbf` and `iat` (RFC 3339 in UTC, " +
			"fractional seconds kept; null when absent), `jti`, `scopes` (from `scope`, `scp` or `scopes`, a " +
			"space-separated string or a list) and `claims`, the whole payload as a JSON string. The result carries " +
			"the token's marks: a sensitive token gives a sensitive result, an ephemeral one an ephemeral result.",
		Parameters: []function.Parameter{function.StringParameter{
			Name:                "token",
			MarkdownDescription: "The JWT, such as `ephemeral.partner_token.api.access_token`.",
		}},
		Return: function.ObjectReturn{AttributeTypes: jwtClaimsTypes},
	}
}

func (jwtClaimsFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var token string
	resp.Error = req.Arguments.Get(ctx, &token)
	if resp.Error != nil {
		return
	}
	claims, err := decodeJWTClaims(token)
	if err != nil {
		// Never echo the argument: it is a token.
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	obj, diags := types.ObjectValue(jwtClaimsTypes, claims)
	if diags.HasError() {
		resp.Error = function.FuncErrorFromDiags(ctx, diags)
		return
	}
	resp.Error = resp.Result.Set(ctx, obj)
}

// decodeJWTClaims reads the payload into the function's object values.
func decodeJWTClaims(token string) (map[string]attr.Value, error) {
	payload, ok := grant.JWTPayload(token)
	if !ok {
		return nil, errors.New("the token is not a JWT: it needs three base64url parts separated by dots, " +
			"the middle one a JSON object (the value is not shown: it may be a secret)")
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, errors.New("the token's payload is not a JSON object")
	}
	var compact bytes.Buffer
	_ = json.Compact(&compact, payload) // valid JSON: JWTPayload checked it
	scopes := stringList(raw["scope"])
	if scopes.IsNull() {
		scopes = stringList(raw["scp"])
	}
	if scopes.IsNull() {
		scopes = stringList(raw["scopes"])
	}
	if scopes.IsNull() {
		scopes = types.ListValueMust(types.StringType, []attr.Value{})
	}
	aud := stringList(raw["aud"])
	if aud.IsNull() {
		aud = types.ListValueMust(types.StringType, []attr.Value{})
	}
	return map[string]attr.Value{
		"iss": stringClaim(raw["iss"]), "sub": stringClaim(raw["sub"]), "jti": stringClaim(raw["jti"]),
		"aud": aud, "exp": timeClaim(raw["exp"]), "nbf": timeClaim(raw["nbf"]), "iat": timeClaim(raw["iat"]),
		"scopes": scopes,
		// JSON may carry bytes that are not UTF-8 inside its strings; a Terraform string may not.
		"claims": types.StringValue(strings.ToValidUTF8(compact.String(), "\uFFFD")),
	}, nil
}

func stringClaim(raw json.RawMessage) types.String {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// stringList reads a claim that is a list of strings or one (space-separated) string.
func stringList(raw json.RawMessage) types.List {
	var list []string
	if json.Unmarshal(raw, &list) != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return types.ListNull(types.StringType)
		}
		list = strings.Fields(s)
	}
	elems := make([]attr.Value, len(list))
	for i, v := range list {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

// timeClaim reads a NumericDate claim (fractions allowed, as the partner API sends) as RFC 3339
// in UTC; null when absent or not a date.
func timeClaim(raw json.RawMessage) types.String {
	var n json.Number
	if json.Unmarshal(raw, &n) != nil {
		return types.StringNull()
	}
	t, ok := grant.NumericDate(n)
	if !ok {
		return types.StringNull()
	}
	return types.StringValue(t.Format(time.RFC3339Nano))
}
