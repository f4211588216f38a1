// OpenID Connect single sign-on (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET): the authorisation
// code flow with PKCE, state and nonce, by openid-client. The provider proves who someone is; their
// role stays Covenant's (the People page), so only a known, enabled email address gets a session.
// What the callback needs to check (state, nonce, PKCE verifier, where to go next) rides in a
// short-lived cookie sealed by an HMAC under the server's key, so no table holds half-done sign-ins.
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** What the sign-in page's button says: "Sign in with <name>". */
  name: string;
}

export const OIDC_COOKIE = 'covenant_oidc';
/** A sign-in started at the provider must come back within this. */
export const OIDC_PENDING_MS = 10 * 60 * 1000;
/** The callback's path, to register with the provider as `<PUBLIC_URL>/sign-in/oidc/callback`. */
export const OIDC_CALLBACK_PATH = '/sign-in/oidc/callback';

interface Pending {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
  expires: number;
}

/** Why a sign-in by the provider did not give a session, said to the person. */
export class OidcRefusal extends Error {}

export class OidcSignOn {
  private configuration?: Promise<oidc.Configuration>;

  constructor(
    readonly settings: OidcSettings,
    private readonly publicUrl: string,
    private readonly secret: string,
  ) {}

  get redirectUri(): string {
    return this.publicUrl + OIDC_CALLBACK_PATH;
  }

  /** The provider's address to send the browser to, and the sealed cookie to set meanwhile. */
  async begin(next: string, now = Date.now()): Promise<{ url: string; cookie: string }> {
    const config = await this.config();
    const pending: Pending = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      next,
      expires: now + OIDC_PENDING_MS,
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, cookie: this.seal(pending) };
  }

  /**
   * Checks the provider's answer at the callback (`callbackUrl` as the browser asked for it) against
   * the sealed cookie, and returns the verified email address and name, and where to go next.
   */
  async finish(
    callbackUrl: URL,
    cookie: string | undefined,
    now = Date.now(),
  ): Promise<{ email: string; name?: string; next: string }> {
    const pending = cookie ? this.unseal(cookie) : undefined;
    if (!pending || pending.expires < now) {
      throw new OidcRefusal('This sign-in was started too long ago or in another browser. Start again.');
    }
    const error = callbackUrl.searchParams.get('error');
    if (error) {
      throw new OidcRefusal(
        `The sign-on service refused: ${callbackUrl.searchParams.get('error_description') ?? error}.`,
      );
    }
    const config = await this.config();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      throw new OidcRefusal(
        `The sign-on service's answer could not be verified (${(err as Error).message}).`,
      );
    }
    const claims = tokens.claims()!;
    // Providers that keep profile claims out of the ID token give them at the userinfo endpoint.
    const profile =
      typeof claims.email === 'string'
        ? claims
        : await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    if (typeof profile.email !== 'string' || profile.email_verified === false) {
      throw new OidcRefusal('The sign-on service did not give a verified email address for this account.');
    }
    return {
      email: profile.email.toLowerCase(),
      ...(typeof profile.name === 'string' ? { name: profile.name } : {}),
      next: pending.next,
    };
  }

  /** The provider's metadata, discovered at first use (a provider down at start delays nothing). */
  private config(): Promise<oidc.Configuration> {
    this.configuration ??= oidc
      .discovery(
        new URL(this.settings.issuer),
        this.settings.clientId,
        this.settings.clientSecret,
        undefined,
        // An http:// issuer is allowed on loopback only (config.ts), e.g. a provider in tests.
        this.settings.issuer.startsWith('http://') ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((err: unknown) => {
        this.configuration = undefined;
        throw new OidcRefusal(
          `The sign-on service cannot be reached (${(err as Error).message}). Try again later.`,
        );
      });
    return this.configuration;
  }

  private seal(pending: Pending): string {
    const body = Buffer.from(JSON.stringify(pending)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  private unseal(cookie: string): Pending | undefined {
    const [body, mac] = cookie.split('.');
    if (!body || !mac) return undefined;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return JSON.parse(Buffer.from(body, 'base64url').toString()) as Pending;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(`oidc:${body}`).digest('base64url');
  }
}
