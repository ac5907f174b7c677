// A real OpenID provider for the single sign-on tests: the npm package oidc-provider (a
// certified implementation) on a loopback port, with its built-in login and consent pages.
// Usage: node provider.mjs PORT REDIRECT_URI. Any login name signs in with any password; the
// `tandem_role` claim comes from ROLES (adviser when absent). Prints "ready" once listening.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', 'tools', 'package.json'));
const { default: Provider } = await import(require.resolve('oidc-provider'));

const [port, redirectUri] = process.argv.slice(2);
const ROLES = { chef: 'supervisor', boss: 'admin' };
const NAMES = { chef: 'Sam Chef', boss: 'Bea Boss' };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'tandem',
    client_secret: 'tandem-client-secret',
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email'],
    tandem_role: ['tandem_role'],
  },
  scopes: ['openid', 'profile', 'email', 'tandem_role'],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['tandem-tests-only'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          preferred_username: id,
          name: NAMES[id] ?? id,
          email: `${id}@example.com`,
          tandem_role: ROLES[id] ?? 'adviser',
        };
      },
    };
  },
});
provider.listen(Number(port), '127.0.0.1', () => console.log('ready'));
