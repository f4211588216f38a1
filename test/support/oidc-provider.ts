// A real OpenID Connect provider on loopback for tests (the `oidc-provider` package, certified by
// the OpenID Foundation), with its development login page: any login and password sign in, and
// the login names the account. Each account's email is its login; an account whose login starts
// with "unverified." has an email the provider does not vouch for.
import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import { freePort } from './ports.js';

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Registers Covenant's callback once its address is known; the provider starts answering then. */
  start(redirectUri: string): Promise<void>;
  stop(): Promise<void>;
}

export async function testOidcProvider(): Promise<TestProvider> {
  const port = await freePort();
  const issuer = `http://localhost:${port}`;
  const clientId = 'covenant';
  const clientSecret = 'a-client-secret-for-tests-only-0123456789';
  let server: Server | undefined;
  return {
    issuer,
    clientId,
    clientSecret,
    async start(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code'],
            response_types: ['code'],
          },
        ],
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
        findAccount: (_ctx, id) => ({
          accountId: id,
          claims: () => ({
            sub: id,
            email: id.replace(/^unverified\./, ''),
            email_verified: !id.startsWith('unverified.'),
            name: `SSO ${id}`,
          }),
        }),
        cookies: { keys: ['a-cookie-key-for-tests-only'] },
        ttl: {
          Interaction: 600,
          Session: 3600,
          Grant: 3600,
          AccessToken: 600,
          IdToken: 600,
          AuthorizationCode: 60,
        },
      });
      await new Promise<void>((resolve) => {
        server = provider.listen(port, resolve);
      });
    },
    async stop() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
