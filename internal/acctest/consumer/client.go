package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// whoAnswer is what an endpoint said about a token it accepted.
type whoAnswer struct {
	Status int
	API    string `json:"api"`
	Sub    string `json:"sub"`
}

// maxAnswer bounds the answer body read.
const maxAnswer = 64 << 10

// call GETs endpoint with "Authorization: Bearer <token>" (no Authorization when token is "") and
// returns the answer of a 200. Any other status is an error naming the status, the
// WWW-Authenticate challenge and the endpoint's error_description; no error ever holds the token.
func call(ctx context.Context, client *http.Client, endpoint, token string) (whoAnswer, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return whoAnswer{}, errors.New("endpoint must be an absolute http or https URL")
	}
	where := u.Redacted()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return whoAnswer{}, fmt.Errorf("GET %s: %v", where, redact(err.Error(), token))
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return whoAnswer{}, fmt.Errorf("GET %s: %v", where, redact(err.Error(), token))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return whoAnswer{}, fmt.Errorf("GET %s: HTTP %d, reading the answer: %v", where, resp.StatusCode, redact(err.Error(), token))
	}
	if resp.StatusCode != http.StatusOK {
		msg := fmt.Sprintf("GET %s: HTTP %d", where, resp.StatusCode)
		if c := resp.Header.Values("WWW-Authenticate"); len(c) > 0 {
			msg += "; WWW-Authenticate: " + strings.Join(c, ", ")
		} else {
			msg += "; no WWW-Authenticate"
		}
		var e struct {
			Description string `json:"error_description"`
		}
		if json.Unmarshal(body, &e) == nil && e.Description != "" {
			msg += "; the endpoint said: " + e.Description
		}
		return whoAnswer{}, errors.New(redact(msg, token))
	}
	a := whoAnswer{Status: resp.StatusCode}
	if err := json.Unmarshal(body, &a); err != nil {
		return whoAnswer{}, fmt.Errorf("GET %s: HTTP 200 whose answer is not the JSON object expected", where)
	}
	return a, nil
}

// redact removes the token from text a server or the transport wrote.
func redact(text, token string) string {
	if token == "" {
		return text
	}
	return strings.ReplaceAll(text, token, "***")
}
