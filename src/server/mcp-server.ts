/**
 * The MCP server: the SDK's low-level `Server` answering tools/list and tools/call from the exposed
 * tools. Tool failures are results with `isError: true` naming the cause and the fix, never protocol
 * errors, so one bad call never breaks a session. One `McpServerFactory` per process; HTTP mode asks it
 * for a `Server` per session, sharing the precomputed tool list.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { createRequestContext, type CallerIdentity, type RequestContext } from '../context/request-context.js';
import { isAzmcpError } from '../errors/azmcp-error.js';
import type { Logger } from '../logging/logger.js';
import type { Services } from '../services/index.js';
import type { ExposedTool } from '../tools/modes.js';
import { toToolErrorText } from './tool-error.js';

export const SERVER_INFO = { name: 'azmcp', version: '0.1.0' } as const;

export interface McpServerFactory {
  create(): Server;
  readonly tools: readonly ExposedTool[];
}

export interface McpServerDeps {
  tools: readonly ExposedTool[];
  services: Services;
  logger: Logger;
  instructions?: string;
}

export function createMcpServerFactory(deps: McpServerDeps): McpServerFactory {
  const listed: McpTool[] = deps.tools.map((tool) => ({
    name: tool.name,
    title: tool.annotations.title,
    description: tool.description,
    inputSchema: tool.inputSchema,
    annotations: tool.annotations,
  }));
  const byName = new Map(deps.tools.map((tool) => [tool.name, tool]));
  // Frozen: the HTTP transport serializes a frozen result once and reuses the JSON (node-streamable-http.ts).
  const toolsList = deepFreeze(structuredClone({ tools: listed }));
  // One JSON-schema validator for every session: the SDK builds a new Ajv per Server otherwise, which
  // dominated the cost of a --stateless request and of each idle session's memory.
  const jsonSchemaValidator = new AjvJsonSchemaValidator();

  return {
    tools: deps.tools,
    create() {
      const server = new Server(SERVER_INFO, {
        capabilities: { tools: { listChanged: false }, logging: {} },
        instructions: deps.instructions,
        jsonSchemaValidator,
      });
      server.setRequestHandler(ListToolsRequestSchema, () => toolsList);
      server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
        const ctx = createRequestContext({
          logger: deps.logger,
          caller: callerFrom(extra.authInfo?.extra),
          signal: extra.signal,
        });
        return callTool(byName.get(request.params.name), request.params.name, request.params.arguments, deps.services, ctx);
      });
      return server;
    },
  };
}

async function callTool(
  tool: ExposedTool | undefined,
  name: string,
  args: unknown,
  services: Services,
  ctx: RequestContext,
): Promise<CallToolResult> {
  if (!tool) {
    return { isError: true, content: [{ type: 'text', text: `Tool '${name}' is not available on this server. Use tools/list to see the tools it offers.` }] };
  }
  const started = performance.now();
  try {
    const result = await tool.call(args, services, ctx);
    ctx.logger.debug({ tool: name, ms: Math.round(performance.now() - started) }, 'tool call succeeded');
    return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result };
  } catch (error) {
    const ms = Math.round(performance.now() - started);
    if (isAzmcpError(error)) ctx.logger.info({ tool: name, code: error.code, reason: error.message, ms }, 'tool call failed');
    else ctx.logger.error({ tool: name, err: error, ms }, 'tool call failed unexpectedly');
    return { isError: true, content: [{ type: 'text', text: toToolErrorText(error) }] };
  }
}

/** The HTTP host puts the validated caller into the SDK's AuthInfo.extra; stdio has none. */
function callerFrom(extra: Record<string, unknown> | undefined): CallerIdentity | undefined {
  return (extra?.caller as CallerIdentity | undefined) ?? undefined;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
