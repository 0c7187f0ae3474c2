/** Builds a real on-behalf-of provider (real MSAL) against the fake Azure, and callers from minted tokens. */
import { Writable } from 'node:stream';
import { decodeJwt } from 'jose';
import { resolveCloud } from '../../../src/config/cloud.js';
import { readOnBehalfOfSettings } from '../../../src/config/client-credentials.js';
import { settingsFrom } from '../../../src/config/settings.js';
import { createRequestContext, type CallerIdentity, type RequestContext } from '../../../src/context/request-context.js';
import { OnBehalfOfCredentialProvider, type OnBehalfOfOptions } from '../../../src/credentials/on-behalf-of.js';
import { createLogger } from '../../../src/logging/logger.js';
import type { FakeAzure, FakePrincipal } from '../../fakes/index.js';
import { caTrustingNetworkClient } from './msal-network.js';

export const silentLogger = () => createLogger({ destination: new Writable({ write: (_chunk, _enc, done) => done() }) });

/** `AzureAd:*` settings for the fake's server app; `credential` adds `AzureAd:ClientCredentials:0:*` keys. */
export function oboSettings(fake: FakeAzure, credential: Record<string, string> = { SourceType: 'ClientSecret', ClientSecret: fake.clients.serverApp.secret! }) {
  const record: Record<string, string> = {
    'AzureAd:Instance': `${fake.entraUrl}/`,
    'AzureAd:TenantId': fake.tenantId,
    'AzureAd:ClientId': fake.clients.serverApp.clientId,
  };
  for (const [key, value] of Object.entries(credential)) record[`AzureAd:ClientCredentials:0:${key}`] = value;
  return settingsFrom(record);
}

export function oboProvider(
  fake: FakeAzure,
  credential?: Record<string, string>,
  extra: Partial<Pick<OnBehalfOfOptions, 'appOnlyCallers' | 'cacheSize' | 'now'>> & { env?: NodeJS.ProcessEnv; instance?: string } = {},
): OnBehalfOfCredentialProvider {
  const cloud = resolveCloud(fake.cloudFile, {});
  const settings = readOnBehalfOfSettings(oboSettings(fake, credential), cloud, extra.env ?? {});
  if (extra.instance) settings.instance = extra.instance;
  return new OnBehalfOfCredentialProvider({
    cloud,
    settings,
    logger: silentLogger(),
    networkClient: caTrustingNetworkClient(fake.httpsAgent),
    ...(extra.appOnlyCallers ? { appOnlyCallers: extra.appOnlyCallers } : {}),
    ...(extra.cacheSize !== undefined ? { cacheSize: extra.cacheSize } : {}),
    ...(extra.now ? { now: extra.now } : {}),
  });
}

/** What the HTTP host puts in the request context after validating a token. */
export function callerFrom(token: string): CallerIdentity {
  const claims = decodeJwt(token) as Record<string, unknown>;
  const scopes = typeof claims.scp === 'string' ? claims.scp.split(' ') : [];
  return {
    kind: claims.idtyp === 'app' || scopes.length === 0 ? 'app' : 'user',
    token,
    oid: String(claims.oid),
    tid: String(claims.tid),
    scopes,
    roles: Array.isArray(claims.roles) ? (claims.roles as string[]) : [],
    clientAppId: String(claims.azp ?? claims.appid ?? ''),
  };
}

export async function contextFor(fake: FakeAzure, principal: FakePrincipal, claims?: Record<string, unknown>): Promise<RequestContext> {
  return createRequestContext({ logger: silentLogger(), caller: callerFrom(await fake.mintToken(principal, claims)) });
}

export const armScope = (fake: FakeAzure) => `${fake.armAudience}/.default`;
export const graphScope = (fake: FakeAzure) => `${fake.graphAudience}/.default`;
