/**
 * A spawned `azmcp server start --transport http` acting on behalf of its callers, pointed at the fake Azure
 * and run under the loopback guard, plus MCP clients that call it as a given principal — what a hosting
 * platform and several VS Code users would do.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { FakeAzure, FakePrincipal } from '../fakes/index.js';
import { startHttpServer, type HttpServerHandle } from './http-server.js';

export { resultText } from './stdio-client.js';

/** `AzureAd__*` for the fake's server app; `credential` becomes `AzureAd__ClientCredentials__0__*`. */
export function oboEnv(fake: FakeAzure, credential?: Record<string, string>, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const source = credential ?? { SourceType: 'ClientSecret', ClientSecret: fake.clients.serverApp.secret! };
  const env: Record<string, string | undefined> = {
    AzureAd__Instance: `${fake.entraUrl}/`,
    AzureAd__TenantId: fake.tenantId,
    AzureAd__ClientId: fake.clients.serverApp.clientId,
    // The hosting chain (app-only callers, --outgoing-auth-strategy UseHostingEnvironmentIdentity) is the fake's hostApp.
    AZURE_TOKEN_CREDENTIALS: 'EnvironmentCredential',
    AZURE_TENANT_ID: fake.tenantId,
    AZURE_CLIENT_ID: fake.clients.hostApp.clientId,
    AZURE_CLIENT_SECRET: fake.clients.hostApp.secret,
  };
  for (const [key, value] of Object.entries(source)) env[`AzureAd__ClientCredentials__0__${key}`] = value;
  return fake.childEnv({ ...env, ...extra });
}

export async function startOboServer(fake: FakeAzure, options: { args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<HttpServerHandle> {
  return startHttpServer({
    args: ['--mode', 'all', '--cloud', fake.cloudFile, ...(options.args ?? [])],
    env: options.env ?? oboEnv(fake),
    nodeArgs: ['--import', fake.loopbackGuardPath],
  });
}

export interface CallerSession {
  /** The incoming token this caller presents. */
  token: string;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/** An MCP client session as `principal`, with a token minted by the fake Entra for the server app. */
export async function connectAs(server: HttpServerHandle, fake: FakeAzure, principal: FakePrincipal, claims?: Record<string, unknown>): Promise<CallerSession> {
  const token = await fake.mintToken(principal, claims);
  const transport = new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  const client = new Client({ name: 'azmcp-obo-tests', version: '1.0.0' });
  await client.connect(transport);
  return {
    token,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: () => client.close(),
  };
}

export function subscriptionNames(result: CallToolResult): string[] {
  const { subscriptions } = result.structuredContent as { subscriptions: Array<{ displayName: string }> };
  return subscriptions.map((s) => s.displayName).sort();
}

/** No traffic left loopback: the guard would have said so on stderr. */
export function refusedConnections(server: HttpServerHandle): string[] {
  return server.stderr().split('\n').filter((line) => line.startsWith('LOOPBACK-GUARD refused'));
}
