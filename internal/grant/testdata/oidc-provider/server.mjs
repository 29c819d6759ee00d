// panva's oidc-provider (https://github.com/panva/node-oidc-provider), an OpenID Certified
// authorization server nobody here wrote, with the clients oidcprovider_test.go needs. It listens
// on a free loopback port and prints its issuer URL on stdout once it does; it ends with stdin.
//
//   CLIENT_SECRET  the client_secret_jwt client's secret (HS256 key)
//   RSA_JWK        the private_key_jwt client's public key, a JWK (JSON)
//   SERVER_CERT, SERVER_KEY, CLIENT_CA
//                  when set: serve https with this certificate, ask for a client certificate, and
//                  enable RFC 8705 (tls_client_auth for CLIENT_CA's CN=inventory-mtls, bound tokens)
//   SELF_SIGNED_JWK with TLS: a self_signed_tls_client_auth client registered by this JWK (x5c)
import https from 'node:https';
import http from 'node:http';
import Provider from 'oidc-provider';

const tls = !!process.env.SERVER_CERT;
const server = tls
  ? https.createServer({ cert: process.env.SERVER_CERT, key: process.env.SERVER_KEY, ca: process.env.CLIENT_CA,
      requestCert: true, rejectUnauthorized: false })
  : http.createServer();

const pem = (der) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`;

server.listen(0, '127.0.0.1', () => {
  const issuer = `${tls ? 'https' : 'http'}://127.0.0.1:${server.address().port}`;
  const grant = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'api.read' };
  const clients = [
    { client_id: 'jwt-client', client_secret: process.env.CLIENT_SECRET,
      token_endpoint_auth_method: 'client_secret_jwt', ...grant },
    { client_id: 'key-client', token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [JSON.parse(process.env.RSA_JWK)] }, ...grant },
  ];
  const features = { clientCredentials: { enabled: true }, devInteractions: { enabled: false } };
  if (tls) {
    clients.push({ client_id: 'mtls-client', token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_subject_dn: 'CN=inventory-mtls', tls_client_certificate_bound_access_tokens: true, ...grant });
    if (process.env.SELF_SIGNED_JWK) {
      clients.push({ client_id: 'self-signed-client', token_endpoint_auth_method: 'self_signed_tls_client_auth',
        jwks: { keys: [JSON.parse(process.env.SELF_SIGNED_JWK)] }, ...grant });
    }
    features.mTLS = {
      enabled: true, tlsClientAuth: true, selfSignedTlsClientAuth: true, certificateBoundAccessTokens: true,
      getCertificate(ctx) {
        const c = ctx.socket.getPeerCertificate();
        return c && c.raw ? pem(c.raw) : undefined;
      },
      certificateAuthorized(ctx) { return ctx.socket.authorized; },
      certificateSubjectMatches(ctx, property, expected) {
        return property === 'tls_client_auth_subject_dn' && expected === `CN=${ctx.socket.getPeerCertificate().subject.CN}`;
      },
    };
  }
  if (tls) {
    // JWT access tokens for the mTLS clients' resource, so that their certificate binding (RFC 8705
    // 3, cnf x5t#S256) is in the token for the client to check.
    features.resourceIndicators = {
      enabled: true,
      defaultResource: () => 'https://api.example.com',
      getResourceServerInfo: () => ({ scope: 'api.read', accessTokenFormat: 'jwt' }),
    };
  }
  const clientAuthMethods = ['client_secret_basic', 'client_secret_jwt', 'client_secret_post', 'private_key_jwt', 'none'];
  if (tls) clientAuthMethods.push('tls_client_auth', 'self_signed_tls_client_auth');
  const provider = new Provider(issuer, { clients, clientAuthMethods, scopes: ['api.read'], features });
  server.on('request', provider.callback());
  console.log(issuer);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
