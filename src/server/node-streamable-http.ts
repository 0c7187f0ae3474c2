/**
 * Streamable HTTP (MCP 2025-03-26 … 2025-11-25) written straight onto Node's request and response.
 *
 * The SDK's `StreamableHTTPServerTransport` wraps its web-standard transport in @hono/node-server: every
 * request becomes a WHATWG Request, every answer a Response whose ReadableStream is pumped back into the
 * Node response. Under load that adapter was a third of the server's CPU (bench/results.md). This class
 * keeps the SDK transport's observable behaviour — status codes, JSON-RPC error bodies, SSE framing,
 * session and protocol-version checks, 202 for notifications, one standalone GET stream per session,
 * keep-alive comments — and the same surface the host uses (`handleRequest(req, res, parsedBody)`,
 * `closeStandaloneSSEStream()`, `onsessioninitialized`/`onsessionclosed`). Left out, as the host never
 * asks for them: resumability (event store, Last-Event-ID), JSON-response mode, and DNS-rebinding checks
 * (the host's loopback guard does those before the transport sees a request).
 *
 * An answer's headers go out with its first event (Node sends `writeHead` with the first write), so a
 * request answered with one response costs one write to the socket.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isInitializeRequest,
  JSONRPCMessageSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type JSONRPCResponse,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

/** As the SDK: at most this many messages in one batch. */
export const MAX_BATCH_SIZE = 100;
const DEFAULT_KEEP_ALIVE_MS = 15_000;
const STANDALONE = '_GET_stream';
const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

export interface NodeStreamableHTTPServerTransportOptions {
  /** Returns the id of a new session; undefined = stateless (no session id, one transport per request). */
  sessionIdGenerator?: () => string;
  onsessioninitialized?: (sessionId: string) => void | Promise<void>;
  onsessionclosed?: (sessionId: string | undefined) => void | Promise<void>;
  /** SSE comment every so often on open streams, so proxies keep them open (default 15 s; 0 = none). */
  keepAliveMs?: number;
}

interface Stream {
  res: ServerResponse;
  keepAlive?: NodeJS.Timeout;
}

export class NodeStreamableHTTPServerTransport implements Transport {
  sessionId?: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  private readonly streams = new Map<string, Stream>();
  private readonly requestToStream = new Map<RequestId, string>();
  private readonly responses = new Map<RequestId, JSONRPCMessage>();
  private started = false;
  private handledRequest = false;
  private initialized = false;
  private closed = false;

  constructor(private readonly options: NodeStreamableHTTPServerTransportOptions = {}) {}

  async start(): Promise<void> {
    if (this.started) throw new Error('Transport already started');
    this.started = true;
  }

  async handleRequest(req: IncomingMessage & { auth?: AuthInfo }, res: ServerResponse, parsedBody?: unknown): Promise<void> {
    if (this.closed) return this.fail(res, 404, -32001, 'Session not found');
    if (!this.options.sessionIdGenerator && this.handledRequest) {
      throw new Error('Stateless transport cannot be reused across requests. Create a new transport per request.');
    }
    this.handledRequest = true;
    switch (req.method) {
      case 'POST':
        return this.handlePost(req, res, parsedBody);
      case 'GET':
        return this.handleGet(req, res);
      case 'DELETE':
        return this.handleDelete(req, res);
      default:
        res.writeHead(405, { allow: 'GET, POST, DELETE', 'content-type': 'application/json' });
        res.end(errorBody(-32000, 'Method not allowed.'));
    }
  }

  private async handlePost(req: IncomingMessage & { auth?: AuthInfo }, res: ServerResponse, parsedBody: unknown): Promise<void> {
    const accept = req.headers.accept;
    if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) {
      return this.fail(res, 406, -32000, 'Not Acceptable: Client must accept both application/json and text/event-stream');
    }
    if (!isJsonContentType(req.headers['content-type'])) {
      return this.fail(res, 415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
    }
    if (parsedBody === undefined) return this.fail(res, 400, -32700, 'Parse error: Invalid JSON');
    if (Array.isArray(parsedBody) && parsedBody.length > MAX_BATCH_SIZE) {
      return this.fail(res, 400, -32600, `Invalid Request: Batch must not exceed ${MAX_BATCH_SIZE} messages`);
    }
    let messages: JSONRPCMessage[];
    try {
      messages = (Array.isArray(parsedBody) ? parsedBody : [parsedBody]).map((m) => JSONRPCMessageSchema.parse(m));
    } catch {
      return this.fail(res, 400, -32700, 'Parse error: Invalid JSON-RPC message');
    }

    // Property checks first: the SDK's type guards are zod parses, costly when they fail (every non-initialize).
    const initializing = messages.some((m) => isRequest(m) && m.method === 'initialize' && isInitializeRequest(m));
    if (initializing) {
      if (this.initialized && this.sessionId !== undefined) return this.fail(res, 400, -32600, 'Invalid Request: Server already initialized');
      if (messages.length > 1) return this.fail(res, 400, -32600, 'Invalid Request: Only one initialization request is allowed');
      this.sessionId = this.options.sessionIdGenerator?.();
      this.initialized = true;
      if (this.sessionId !== undefined) await this.options.onsessioninitialized?.(this.sessionId);
    } else if (!this.sessionAndVersionOk(req, res)) {
      return;
    }
    if (this.closed) return this.fail(res, 404, -32001, 'Session not found');

    const extra: MessageExtraInfo = { authInfo: req.auth, requestInfo: { headers: req.headers } };
    if (!messages.some(isRequest)) {
      for (const message of messages) this.onmessage?.(message, extra);
      res.writeHead(202).end();
      return;
    }

    const streamId = randomUUID();
    // Written with the first event (Node holds the head until the first write).
    res.writeHead(200, this.sessionId === undefined ? SSE_HEADERS : { ...SSE_HEADERS, 'mcp-session-id': this.sessionId });
    this.openStream(streamId, res);
    for (const message of messages) if (isRequest(message)) this.requestToStream.set(message.id, streamId);
    for (const message of messages) this.onmessage?.(message, extra);
  }

  private handleGet(req: IncomingMessage, res: ServerResponse): void {
    if (!req.headers.accept?.includes('text/event-stream')) {
      return this.fail(res, 406, -32000, 'Not Acceptable: Client must accept text/event-stream');
    }
    if (!this.sessionAndVersionOk(req, res)) return;
    if (this.streams.has(STANDALONE)) return this.fail(res, 409, -32000, 'Conflict: Only one SSE stream is allowed per session');
    res.writeHead(200, this.sessionId === undefined ? SSE_HEADERS : { ...SSE_HEADERS, 'mcp-session-id': this.sessionId });
    // The client counts the stream as open once it has the headers.
    res.flushHeaders();
    this.openStream(STANDALONE, res);
  }

  private async handleDelete(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.sessionAndVersionOk(req, res)) return;
    try {
      await this.options.onsessionclosed?.(this.sessionId);
      res.writeHead(200).end();
    } finally {
      await this.close();
    }
  }

  /** Stateful: the session must be initialized and named; any: a protocol version we know, if one is sent. */
  private sessionAndVersionOk(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.options.sessionIdGenerator) {
      if (!this.initialized) return this.fail(res, 400, -32000, 'Bad Request: Server not initialized'), false;
      const sessionId = req.headers['mcp-session-id'];
      if (!sessionId) return this.fail(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required'), false;
      if (sessionId !== this.sessionId) return this.fail(res, 404, -32001, 'Session not found'), false;
    }
    const version = req.headers['mcp-protocol-version'];
    if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(String(version))) {
      const supported = SUPPORTED_PROTOCOL_VERSIONS.join(', ');
      return this.fail(res, 400, -32000, `Bad Request: Unsupported protocol version: ${String(version)} (supported versions: ${supported})`), false;
    }
    return true;
  }

  private openStream(streamId: string, res: ServerResponse): void {
    const stream: Stream = { res };
    const keepAliveMs = this.options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
    if (keepAliveMs > 0) {
      stream.keepAlive = setInterval(() => res.write(': keepalive\n\n'), keepAliveMs);
      stream.keepAlive.unref();
    }
    this.streams.set(streamId, stream);
    // The client went away: forget the stream; a late answer for it is dropped in send().
    res.once('close', () => {
      clearInterval(stream.keepAlive);
      if (this.streams.get(streamId) === stream) this.streams.delete(streamId);
    });
  }

  private endStream(streamId: string, lastChunk?: string): void {
    const stream = this.streams.get(streamId);
    if (!stream) return;
    clearInterval(stream.keepAlive);
    this.streams.delete(streamId);
    if (!stream.res.writableEnded) stream.res.end(lastChunk);
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const isResponse = isResponseMessage(message);
    const requestId = isResponse ? message.id : options?.relatedRequestId;
    if (requestId === undefined) {
      if (isResponse) throw new Error('Cannot send a response on a standalone SSE stream unless resuming a previous client request');
      const standalone = this.streams.get(STANDALONE);
      standalone?.res.write(sseEvent(message));
      return;
    }
    const streamId = this.requestToStream.get(requestId);
    if (streamId === undefined) throw new Error(`No connection established for request ID: ${String(requestId)}`);
    const stream = this.streams.get(streamId);
    if (!isResponse) {
      stream?.res.write(sseEvent(message));
      return;
    }

    this.responses.set(requestId, message);
    const related = [...this.requestToStream].filter(([, sid]) => sid === streamId).map(([id]) => id);
    const complete = related.every((id) => this.responses.has(id));
    if (complete) {
      for (const id of related) {
        this.responses.delete(id);
        this.requestToStream.delete(id);
      }
    }
    if (!stream) {
      if (complete && !this.closed) throw new Error(`No connection established for request ID: ${String(requestId)}`);
      return;
    }
    if (complete) this.endStream(streamId, sseEvent(message));
    else stream.res.write(sseEvent(message));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const streamId of [...this.streams.keys()]) this.endStream(streamId);
    this.requestToStream.clear();
    this.responses.clear();
    this.onclose?.();
  }

  /** Ends the stream answering `requestId` (the client may reconnect with resumability, which this transport does not offer). */
  closeSSEStream(requestId: RequestId): void {
    const streamId = this.requestToStream.get(requestId);
    if (streamId !== undefined) this.endStream(streamId);
  }

  closeStandaloneSSEStream(): void {
    this.endStream(STANDALONE);
  }

  private fail(res: ServerResponse, status: number, code: number, message: string): void {
    this.onerror?.(new Error(message));
    res.writeHead(status, { 'content-type': 'application/json' }).end(errorBody(code, message));
  }
}

/** For messages already validated as JSON-RPC (JSONRPCMessageSchema, or built by the SDK's Protocol). */
const isRequest = (message: JSONRPCMessage): message is JSONRPCRequest => 'method' in message && 'id' in message;
const isResponseMessage = (message: JSONRPCMessage): message is JSONRPCResponse => 'id' in message && ('result' in message || 'error' in message);

const sseEvent = (message: JSONRPCMessage) => `event: message\ndata: ${serialize(message)}\n\n`;

/**
 * A frozen result (tools/list's, which never changes) is serialized once; only the envelope around it is
 * built per response. Anything else is serialized as it is.
 */
const serializedResults = new WeakMap<object, string>();
function serialize(message: JSONRPCMessage): string {
  const result = (message as { result?: unknown }).result;
  if (result === null || typeof result !== 'object' || !Object.isFrozen(result) || Object.keys(message).length !== 3) return JSON.stringify(message);
  let json = serializedResults.get(result);
  if (json === undefined) serializedResults.set(result, (json = JSON.stringify(result)));
  return `{"result":${json},"jsonrpc":"2.0","id":${JSON.stringify((message as { id: RequestId }).id)}}`;
}
const errorBody = (code: number, message: string) => JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });

function isJsonContentType(header: string | undefined): boolean {
  if (header === 'application/json') return true;
  return header?.split(';', 1)[0]!.trim().toLowerCase() === 'application/json';
}
