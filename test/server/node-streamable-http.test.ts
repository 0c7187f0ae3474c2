/**
 * The Node Streamable HTTP transport on a bare node:http server: the answers the SDK's transport gives
 * (status, JSON-RPC error code, headers) for each kind of request, stateful and stateless. The full
 * protocol is also exercised by the conformance suite (test/conformance) through the host.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeStreamableHTTPServerTransport } from '../../src/server/node-streamable-http.js';

const ACCEPT = 'application/json, text/event-stream';
const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };

const servers: HttpServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** One transport (stateful) or one per request (stateless) behind http://127.0.0.1:PORT/. */
async function serve(stateful: boolean, listResult: () => object = () => ({ tools: [] })): Promise<{ url: string; closed: string[] }> {
  const closed: string[] = [];
  const mcp = () => {
    const server = new Server({ name: 't', version: '1' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => listResult() as { tools: [] });
    return server;
  };
  let shared: NodeStreamableHTTPServerTransport | undefined;
  if (stateful) {
    shared = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: () => 'session-1', onsessionclosed: (id) => void closed.push(String(id)) });
    await mcp().connect(shared);
  }
  const http = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    let transport = shared;
    if (!transport) {
      transport = new NodeStreamableHTTPServerTransport();
      await mcp().connect(transport);
    }
    await transport.handleRequest(req, res, text ? JSON.parse(text) : undefined);
  });
  servers.push(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/`, closed };
}

function send(url: string, body?: unknown, headers: Record<string, string> = {}, method = 'POST') {
  return fetch(url, {
    method,
    headers: { accept: ACCEPT, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function errorOf(response: Response) {
  return { status: response.status, code: ((await response.json()) as { error: { code: number } }).error.code };
}

describe('stateful', () => {
  it('opens a session on initialize and answers in it over SSE', async () => {
    const { url } = await serve(true);
    const init = await send(url, INIT);
    expect(init.status).toBe(200);
    expect(init.headers.get('content-type')).toBe('text/event-stream');
    expect(init.headers.get('mcp-session-id')).toBe('session-1');
    expect(await init.text()).toMatch(/^event: message\ndata: \{.*"id":1.*\}\n\n$/);

    const list = await send(url, LIST, { 'mcp-session-id': 'session-1', 'mcp-protocol-version': '2025-06-18' });
    expect(await list.text()).toBe(`event: message\ndata: ${JSON.stringify({ result: { tools: [] }, jsonrpc: '2.0', id: 2 })}\n\n`);
  });

  it('answers every misuse as the SDK transport does', async () => {
    const { url } = await serve(true);
    expect(await errorOf(await send(url, LIST, { 'mcp-session-id': 'session-1' }))).toEqual({ status: 400, code: -32000 }); // not initialized
    await (await send(url, INIT)).text();
    const session = { 'mcp-session-id': 'session-1' };
    expect(await errorOf(await send(url, INIT, session))).toEqual({ status: 400, code: -32600 }); // initialized twice
    expect(await errorOf(await send(url, LIST))).toEqual({ status: 400, code: -32000 }); // no session id
    expect(await errorOf(await send(url, LIST, { 'mcp-session-id': 'other' }))).toEqual({ status: 404, code: -32001 });
    expect(await errorOf(await send(url, LIST, { ...session, 'mcp-protocol-version': '1999-01-01' }))).toEqual({ status: 400, code: -32000 });
    expect(await errorOf(await send(url, LIST, { ...session, accept: 'application/json' }))).toEqual({ status: 406, code: -32000 });
    expect(await errorOf(await send(url, LIST, { ...session, 'content-type': 'text/plain' }))).toEqual({ status: 415, code: -32000 });
    expect(await errorOf(await send(url, { jsonrpc: '1.0', nonsense: true }, session))).toEqual({ status: 400, code: -32700 });
    expect(await errorOf(await send(url, Array.from({ length: 101 }, () => LIST), session))).toEqual({ status: 400, code: -32600 });
  });

  it('accepts notifications with 202, keeps one standalone GET stream, and ends the session on DELETE', async () => {
    const { url, closed } = await serve(true);
    await (await send(url, INIT)).text();
    const session = { 'mcp-session-id': 'session-1' };
    const ack = await send(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, session);
    expect(ack.status).toBe(202);
    expect(await ack.text()).toBe('');

    const stream = await send(url, undefined, session, 'GET');
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    expect(await errorOf(await send(url, undefined, session, 'GET'))).toEqual({ status: 409, code: -32000 });
    expect(await errorOf(await send(url, undefined, { ...session, accept: 'application/json' }, 'GET'))).toEqual({ status: 406, code: -32000 });

    expect((await send(url, undefined, session, 'DELETE')).status).toBe(200);
    expect(closed).toEqual(['session-1']);
    expect(await stream.text()).toBe(''); // the standalone stream ended with the session
    expect(await errorOf(await send(url, LIST, session))).toEqual({ status: 404, code: -32001 });
  });
});

describe('stateless', () => {
  it('answers without a session id, and a batch with one event per request', async () => {
    const { url } = await serve(false);
    const list = await send(url, LIST);
    expect(list.status).toBe(200);
    expect(list.headers.get('mcp-session-id')).toBeNull();
    await list.text();
    const batch = await send(url, [LIST, { ...LIST, id: 3 }]);
    const events = (await batch.text()).split('\n\n').filter(Boolean);
    expect(events.map((e) => (JSON.parse(e.split('data: ')[1]!) as { id: number }).id).sort()).toEqual([2, 3]);
  });

  it('writes a frozen result, serialized once, exactly as JSON.stringify would', async () => {
    const frozen = Object.freeze({ tools: Object.freeze([Object.freeze({ name: 'a', inputSchema: Object.freeze({ type: 'object' }) })]) });
    const { url } = await serve(false, () => frozen);
    for (const id of [7, 'x"7']) {
      const text = await (await send(url, { ...LIST, id })).text();
      expect(text).toBe(`event: message\ndata: ${JSON.stringify({ result: frozen, jsonrpc: '2.0', id })}\n\n`);
    }
  });

  it('refuses to serve a second request with the same transport', async () => {
    const transport = new NodeStreamableHTTPServerTransport();
    await new Server({ name: 't', version: '1' }, { capabilities: {} }).connect(transport);
    const { req, res } = fakeExchange();
    await transport.handleRequest(req, res, { jsonrpc: '2.0', method: 'notifications/initialized' });
    await expect(transport.handleRequest(req, res, LIST)).rejects.toThrow(/cannot be reused/);
  });
});

function fakeExchange() {
  const req = { method: 'POST', headers: { accept: ACCEPT, 'content-type': 'application/json' } } as never;
  const res = { writeHead: () => res, end: () => res } as never;
  return { req, res };
}
