/**
 * In-process helpers for the host tests: an app built by the real factory against the fake Entra (its
 * discovery and JWKS over HTTPS, trusted through `fake.request`), a tool that echoes the caller it was
 * handed, and small MCP request helpers for `app.inject()`.
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { resolveIncomingAuth, type HttpHostConfig } from '../../src/config/azure-ad.js';
import { settingsFrom } from '../../src/config/settings.js';
import { buildHttpApp, type HttpAppOptions } from '../../src/host/app.js';
import { createLogger, type Logger } from '../../src/logging/logger.js';
import { createMcpServerFactory } from '../../src/server/mcp-server.js';
import type { Services } from '../../src/services/index.js';
import type { ExposedTool } from '../../src/tools/modes.js';
import type { FakeAzure } from '../fakes/index.js';

export const ACCEPT = 'application/json, text/event-stream';
export const PROTOCOL_VERSION = '2025-06-18';

/** Returns what the tool handler received as the request's caller. */
export const callerEcho: ExposedTool = {
  name: 'caller_echo',
  description: 'Echo the caller identity the tool was handed.',
  inputSchema: { type: 'object', properties: {} },
  annotations: { title: 'Caller echo', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  call: async (_args, _services, ctx) => ({ caller: ctx.caller ? { ...ctx.caller, token: ctx.caller.token ? '<present>' : '' } : null }),
};

/** An in-memory pino destination, to assert on what the host logs. */
export function memoryLogger(): { logger: Logger; text(): string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { logger: createLogger({ destination: stream }), text: () => text };
}

/** `fetch` for the token validator that trusts the fake's CA. */
export function fetchTrustingFake(fake: FakeAzure): typeof fetch {
  return (async (input: string | URL | Request) => {
    const response = await fake.request(String(input instanceof Request ? input.url : input));
    return new Response(response.text, { status: response.status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

export function hostConfig(fake: FakeAzure, overrides: Partial<HttpHostConfig> = {}, settings: Record<string, string> = {}): HttpHostConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    stateless: false,
    incomingAuth: true,
    auth: resolveIncomingAuth(
      settingsFrom({ 'AzureAd:Instance': `${fake.entraUrl}/`, 'AzureAd:TenantId': fake.tenantId, 'AzureAd:ClientId': fake.clients.serverApp.clientId, ...settings }),
    ),
    maxRequestsPerMinutePerCaller: 100,
    maxSessions: 1000,
    maxSessionsPerCaller: 10,
    maxUnauthenticatedRequestsPerMinutePerIp: 300,
    sessionIdleTimeoutSeconds: 1800,
    ...overrides,
  };
}

export async function buildTestApp(
  fake: FakeAzure,
  config: HttpHostConfig,
  options: Partial<Omit<HttpAppOptions, 'config' | 'factory'>> = {},
): Promise<FastifyInstance> {
  const logger = options.logger ?? memoryLogger().logger;
  const factory = createMcpServerFactory({ tools: [callerEcho], services: {} as Services, logger });
  return buildHttpApp({
    config,
    factory,
    logger,
    ...options,
    validatorOptions: { fetch: fetchTrustingFake(fake), unknownKidCooldownMs: 0, ...options.validatorOptions },
  });
}

export const initializeRequest = (id = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'azmcp-host-tests', version: '1.0.0' } },
});

export interface McpInject {
  token?: string;
  session?: string;
  body?: unknown;
  url?: string;
  method?: 'POST' | 'GET' | 'DELETE';
  headers?: Record<string, string>;
  /** The client address (`request.ip`); app.inject's default is 127.0.0.1. */
  remoteAddress?: string;
}

export function mcp(app: FastifyInstance, request: McpInject): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { accept: ACCEPT, ...request.headers };
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  if (request.session) headers['mcp-session-id'] = request.session;
  if (request.session) headers['mcp-protocol-version'] = PROTOCOL_VERSION;
  const method = request.method ?? 'POST';
  if (method === 'POST') headers['content-type'] ??= 'application/json';
  return app.inject({
    method,
    url: request.url ?? '/mcp',
    headers,
    ...(request.remoteAddress ? { remoteAddress: request.remoteAddress } : {}),
    ...(method === 'POST' ? { payload: typeof request.body === 'string' ? request.body : JSON.stringify(request.body ?? initializeRequest()) } : {}),
  });
}

/** The JSON-RPC messages of a Streamable HTTP answer (an SSE stream or a JSON body). */
export function rpcMessages(payload: string): Array<Record<string, any>> {
  if (payload.trimStart().startsWith('{') || payload.trimStart().startsWith('[')) {
    const parsed = JSON.parse(payload) as unknown;
    return (Array.isArray(parsed) ? parsed : [parsed]) as Array<Record<string, any>>;
  }
  return payload
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => JSON.parse(line.slice(5)) as Record<string, any>);
}

/** initialize + notifications/initialized; returns the session id. */
export async function openSession(app: FastifyInstance, token?: string): Promise<string> {
  const init = await mcp(app, { token });
  if (init.statusCode !== 200) throw new Error(`initialize answered ${init.statusCode}: ${init.payload}`);
  const session = String(init.headers['mcp-session-id']);
  const ack = await mcp(app, { token, session, body: { jsonrpc: '2.0', method: 'notifications/initialized' } });
  if (ack.statusCode !== 202) throw new Error(`notifications/initialized answered ${ack.statusCode}: ${ack.payload}`);
  return session;
}

export async function callCallerEcho(app: FastifyInstance, token: string | undefined, session: string | undefined, id = 7) {
  const response = await mcp(app, { token, session, body: { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'caller_echo', arguments: {} } } });
  const message = rpcMessages(response.payload).find((m) => m.id === id);
  return { response, caller: message?.result?.structuredContent?.caller as Record<string, unknown> | null | undefined };
}
