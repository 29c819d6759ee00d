package tokenserver

import (
	"net/http"
	"slices"
)

// The client certificate gateway (Config.ClientCertSubject) stands where a real deployment's
// TLS-terminating proxy does, in front of an API's token and revocation endpoints, and answers as
// nginx with ssl_verify_client does: the TLS layer refuses a certificate its CA did not issue
// (tls.VerifyClientCertIfGiven), a request without a certificate gets 400 "No required SSL
// certificate was sent", and one whose certificate names another subject 403. A refused request
// never reaches the endpoint: Requests and Revocations do not count it; GatewayRefusals does.

// nginxNoCertificate is nginx's answer to a request without the client certificate it requires.
const nginxNoCertificate = "<html>\r\n<head><title>400 No required SSL certificate was sent</title></head>\r\n<body>\r\n" +
	"<center><h1>400 Bad Request</h1></center>\r\n<center>No required SSL certificate was sent</center>\r\n" +
	"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

// nginxForbidden is nginx's 403 page, which a subject check (a map on $ssl_client_s_dn) returns.
const nginxForbidden = "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n" +
	"<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

// gatewayRefuses answers a request to api's endpoints that lacks the client certificate the
// gateway wants, and reports whether it did.
func (s *Server) gatewayRefuses(w *response, r *http.Request, api API) bool {
	subject, ok := s.cfg.ClientCertSubject[api]
	if !ok {
		return false
	}
	var cn string
	verified := r.TLS != nil && len(r.TLS.VerifiedChains) > 0 && len(r.TLS.PeerCertificates) > 0
	if verified {
		cn = r.TLS.PeerCertificates[0].Subject.CommonName
	}
	status, page := http.StatusBadRequest, nginxNoCertificate
	switch {
	case verified && cn == subject:
		s.mu.Lock()
		s.clientCerts[api] = append(s.clientCerts[api], cn)
		s.mu.Unlock()
		return false
	case verified:
		status, page = http.StatusForbidden, nginxForbidden
	}
	s.mu.Lock()
	s.gateway[api]++
	s.mu.Unlock()
	w.fault = "client-certificate-gateway"
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Server", "nginx")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(page))
	return true
}

// GatewayRefusals returns how many requests to api's endpoints the client certificate gateway
// refused (Config.ClientCertSubject).
func (s *Server) GatewayRefusals(api API) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gateway[api]
}

// ClientCertificates returns the subject CommonName of each request to api's endpoints that the
// gateway admitted, token and revocation requests alike, in order.
func (s *Server) ClientCertificates(api API) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.clientCerts[api])
}
