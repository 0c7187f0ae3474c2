/** What every fake service shares: state, signing keys, the URLs of its siblings, and token conventions. */
import type { FakeState } from './state.js';
import type { TokenClaims, TokenKeys } from './tokens.js';
import type { RequestRecord } from './types.js';

export interface FakeContext {
  state: FakeState;
  keys: TokenKeys;
  /** Filled in as the servers start. */
  urls: { entra: string; arm: string; graph: string; mi: string };
  miHeader: string;
}

/** v2 issuer as Entra writes it: `{authority host}/{tid}/v2.0`. */
export function issuerFor(ctx: FakeContext, tid: string): string {
  return `${ctx.urls.entra}/${tid}/v2.0`;
}

/** Issuers resources accept: this fake's v2 issuer for any known tenant, or the v1 `https://sts.windows.net/{tid}/`. */
export function isIssuerValid(ctx: FakeContext, iss: string): boolean {
  const v2 = new RegExp(`^${escapeRegExp(ctx.urls.entra)}/([0-9a-f-]{36})/v2\\.0$`, 'i').exec(iss);
  const v1 = /^https:\/\/sts\.windows\.net\/([0-9a-f-]{36})\/$/i.exec(iss);
  const tid = v2?.[1] ?? v1?.[1];
  return tid !== undefined && ctx.state.findTenant(tid) !== undefined;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** App-only token: `idtyp: app`, or no `scp` at all. */
export function isAppToken(claims: TokenClaims): boolean {
  return claims.idtyp === 'app' || (claims.idtyp !== 'user' && typeof claims.scp !== 'string');
}

export function principalOf(claims: TokenClaims): NonNullable<RequestRecord['principal']> {
  const app = isAppToken(claims);
  const appId = claims.appid ?? claims.azp;
  return {
    oid: claims.oid ?? String(claims.sub ?? ''),
    tid: claims.tid ?? '',
    kind: app ? 'app' : 'user',
    ...(app && appId ? { appId } : {}),
  };
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
