// panva's oidc-provider (https://github.com/panva/node-oidc-provider), an OpenID Certified
// authorization server nobody here wrote, with the clients oidcprovider_test.go needs. It listens
// on a free loopback port and prints its issuer URL on stdout once it does; it ends with stdin.
//
//   CLIENT_SECRET  the client_secret_jwt client's secret (HS256 key)
//   RSA_JWK        the private_key_jwt client's public key, a JWK (JSON)
import http from 'node:http';
import Provider from 'oidc-provider';

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const grant = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'api.read' };
  const provider = new Provider(issuer, {
    clients: [
      { client_id: 'jwt-client', client_secret: process.env.CLIENT_SECRET,
        token_endpoint_auth_method: 'client_secret_jwt', ...grant },
      { client_id: 'key-client', token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [JSON.parse(process.env.RSA_JWK)] }, ...grant },
    ],
    scopes: ['api.read'],
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
  });
  server.on('request', provider.callback());
  console.log(issuer);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
