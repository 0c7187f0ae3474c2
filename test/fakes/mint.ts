/** Access-token claim sets as the fake Entra issues them (v2.0 shape). */
import { createHash } from 'node:crypto';
import { issuerFor, nowSeconds, type FakeContext } from './context.js';
import { DEFAULT_CLIENTS, MCP_APP_ROLE, MCP_SCOPE, VSCODE_CLIENT_ID } from './defaults.js';
import { newTokenId, randomUUID, type SignOptions } from './tokens.js';
import type { FakePrincipal } from './types.js';

export interface IssueOptions {
  aud: string;
  tid: string;
  lifetimeSeconds?: number;
}

function common(ctx: FakeContext, o: IssueOptions): Record<string, unknown> {
  const now = nowSeconds();
  return {
    aud: o.aud,
    iss: issuerFor(ctx, o.tid),
    iat: now,
    nbf: now,
    exp: now + (o.lifetimeSeconds ?? ctx.state.tokenLifetimeSeconds),
    aio: newTokenId(),
    rh: `0.${newTokenId()}.`,
    tid: o.tid,
    uti: newTokenId(),
    ver: '2.0',
  };
}

/** Pairwise `sub` like Entra's: stable per user and audience, not the oid. */
function pairwiseSub(oid: string, aud: string): string {
  return createHash('sha256').update(`${oid}|${aud}`).digest('base64url').slice(0, 43);
}

/** Delegated (user) token claims. `azp` is the client the user signed in to. */
export function userClaims(ctx: FakeContext, user: FakePrincipal, o: IssueOptions & { azp: string; scp: string }): Record<string, unknown> {
  const [given, ...rest] = (user.name ?? '').split(' ');
  return {
    ...common(ctx, o),
    amr: ['pwd', 'mfa'],
    azp: o.azp,
    azpacr: '1',
    appid: o.azp,
    family_name: rest.join(' ') || undefined,
    given_name: given || undefined,
    idtyp: 'user',
    name: user.name,
    oid: user.oid,
    preferred_username: user.upn,
    scp: o.scp,
    sub: pairwiseSub(user.oid, o.aud),
    upn: user.upn,
    acct: 0,
  };
}

/** App-only token claims (client credentials, managed identity). */
export function appClaims(
  ctx: FakeContext,
  app: { oid: string; appId: string; roles?: string[]; azpacr?: '0' | '1' | '2' },
  o: IssueOptions,
): Record<string, unknown> {
  return {
    ...common(ctx, o),
    azp: app.appId,
    azpacr: app.azpacr ?? '1',
    appid: app.appId,
    appidacr: app.azpacr ?? '1',
    idp: issuerFor(ctx, o.tid).replace(/\/v2\.0$/, '/'),
    idtyp: 'app',
    oid: app.oid,
    ...(app.roles && app.roles.length > 0 ? { roles: app.roles } : {}),
    sub: app.oid,
  };
}

/**
 * Claims for `FakeAzure.mintToken`: a user token for the MCP server (aud serverApp, scp Mcp.Tools.ReadWrite,
 * azp VS Code) or an app token (roles Mcp.Tools.ReadWrite.All) unless `overrides` say otherwise.
 * An override whose value is `undefined` removes the claim.
 */
export function mintClaims(ctx: FakeContext, principal: FakePrincipal, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const aud = typeof overrides.aud === 'string' ? overrides.aud : DEFAULT_CLIENTS.serverApp.clientId;
  const tid = typeof overrides.tid === 'string' ? overrides.tid : principal.tid;
  const base =
    principal.kind === 'user'
      ? userClaims(ctx, principal, { aud, tid, azp: VSCODE_CLIENT_ID, scp: MCP_SCOPE, lifetimeSeconds: 3600 })
      : appClaims(ctx, { oid: principal.oid, appId: principal.appId ?? randomUUID(), roles: [MCP_APP_ROLE] }, { aud, tid, lifetimeSeconds: 3600 });
  const merged: Record<string, unknown> = { ...base, ...overrides };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  return merged;
}

export async function signClaims(ctx: FakeContext, claims: Record<string, unknown>, options?: SignOptions): Promise<string> {
  return ctx.keys.sign(claims, options);
}
