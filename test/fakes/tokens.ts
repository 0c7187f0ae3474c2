/**
 * The fake Entra's token signing keys: issue RS256 access tokens, publish them as JWKS, verify tokens the way a
 * resource (ARM, Graph, Entra's OBO endpoint) would.
 */
import { createHash, createSecretKey, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, UnsecuredJWT, decodeProtectedHeader, errors, exportJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: JWK;
}

export interface SignOptions {
  /** 'current' (default): the key published last in JWKS; 'unknown': a key the fake never publishes. */
  key?: 'current' | 'unknown';
  /** Default RS256. 'none' gives an unsigned token, HS* a token signed with a random secret. */
  alg?: string;
  /** Merged over the default protected header `{alg, typ: 'JWT', kid}`. */
  header?: Record<string, unknown>;
}

export type VerifyFailure =
  | 'missing'
  | 'malformed'
  | 'unknown_key'
  | 'bad_algorithm'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'bad_issuer'
  | 'bad_audience';

export type VerifyResult =
  | { ok: true; claims: TokenClaims; header: Record<string, unknown> }
  | { ok: false; reason: VerifyFailure; message: string; claims?: TokenClaims };

/** Claims the fakes read from access tokens (everything else passes through untouched). */
export interface TokenClaims extends JWTPayload {
  oid?: string;
  tid?: string;
  appid?: string;
  azp?: string;
  idtyp?: string;
  scp?: string;
  roles?: string[];
  name?: string;
  upn?: string;
  preferred_username?: string;
}

export interface VerifyOptions {
  /** Accepted audiences; a trailing slash is ignored on both sides. Omit to skip the audience check. */
  audiences?: string[];
  /** Accepted issuers; omit to accept any issuer. */
  isIssuerValid?: (iss: string) => boolean;
}

function newRsaKey(): { kid: string; privateKey: KeyObject; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // Entra's kid is the base64url SHA-1 thumbprint of the key's certificate; a hash of the key is close enough.
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const kid = createHash('sha1').update(der).digest('base64url');
  return { kid, privateKey, publicKey };
}

export function stripSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

export function decodeClaims(token: string): TokenClaims | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as TokenClaims) : undefined;
  } catch {
    return undefined;
  }
}

export class TokenKeys {
  private readonly keys: SigningKey[] = [];
  private readonly unknownKey = newRsaKey();

  static async create(): Promise<TokenKeys> {
    const keys = new TokenKeys();
    await keys.rotate();
    return keys;
  }

  get current(): SigningKey {
    const key = this.keys[this.keys.length - 1];
    if (!key) throw new Error('no signing key');
    return key;
  }

  /** A new key becomes current; older keys stay published (and valid) like Entra's rollover. */
  async rotate(): Promise<void> {
    const { kid, privateKey, publicKey } = newRsaKey();
    const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', x5t: kid };
    this.keys.push({ kid, privateKey, publicKey, jwk });
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => ({ ...k.jwk })) };
  }

  async sign(payload: Record<string, unknown>, options: SignOptions = {}): Promise<string> {
    const alg = options.alg ?? 'RS256';
    const signer = options.key === 'unknown' ? this.unknownKey : this.current;
    const header: Record<string, unknown> = { alg, typ: 'JWT', kid: signer.kid, ...options.header };
    if (alg === 'none') {
      const unsigned = new UnsecuredJWT(payload).encode(); // header {alg:'none'}
      const [, body] = unsigned.split('.');
      return `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${body}.`;
    }
    const jwt = new SignJWT(payload).setProtectedHeader(header as Parameters<SignJWT['setProtectedHeader']>[0]);
    if (alg.startsWith('HS')) return jwt.sign(createSecretKey(randomBytes(32)));
    return jwt.sign(signer.privateKey);
  }

  /** Verify like a resource server: known kid, RS256, signature, exp/nbf (no skew), issuer, audience. */
  async verify(token: string | undefined, options: VerifyOptions = {}): Promise<VerifyResult> {
    if (!token) return { ok: false, reason: 'missing', message: 'No token was presented.' };
    let header: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(token) as Record<string, unknown>;
    } catch {
      return { ok: false, reason: 'malformed', message: 'The token is not a well-formed JWT.' };
    }
    const unverified = decodeClaims(token);
    if (!unverified) return { ok: false, reason: 'malformed', message: 'The token payload is not JSON.' };
    if (header.alg !== 'RS256') {
      return { ok: false, reason: 'bad_algorithm', message: `Signing algorithm '${String(header.alg)}' is not accepted.`, claims: unverified };
    }
    const key = this.keys.find((k) => k.kid === header.kid);
    if (!key) {
      return { ok: false, reason: 'unknown_key', message: `The signing key '${String(header.kid)}' was not found.`, claims: unverified };
    }
    let claims: TokenClaims;
    try {
      ({ payload: claims } = await jwtVerify<TokenClaims>(token, key.publicKey, { algorithms: ['RS256'] }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired', message: 'The token is expired.', claims: unverified };
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') {
        return { ok: false, reason: 'not_yet_valid', message: 'The token is not yet valid.', claims: unverified };
      }
      if (error instanceof errors.JWSSignatureVerificationFailed) {
        return { ok: false, reason: 'bad_signature', message: 'The token signature is invalid.', claims: unverified };
      }
      return { ok: false, reason: 'malformed', message: `The token is invalid: ${(error as Error).message}`, claims: unverified };
    }
    if (options.isIssuerValid && (typeof claims.iss !== 'string' || !options.isIssuerValid(claims.iss))) {
      return { ok: false, reason: 'bad_issuer', message: `The token issuer '${String(claims.iss)}' is not trusted.`, claims };
    }
    if (options.audiences) {
      const wanted = options.audiences.map((a) => stripSlash(a).toLowerCase());
      const auds = (Array.isArray(claims.aud) ? claims.aud : [claims.aud]).filter((a): a is string => typeof a === 'string');
      if (!auds.some((a) => wanted.includes(stripSlash(a).toLowerCase()))) {
        return { ok: false, reason: 'bad_audience', message: `The token audience '${auds.join(' ')}' is invalid.`, claims };
      }
    }
    return { ok: true, claims, header };
  }
}

export function newTokenId(): string {
  return randomBytes(16).toString('base64url');
}

export { randomUUID };
