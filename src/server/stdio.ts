/** stdio transport: stdout carries JSON-RPC only; everything else goes to stderr. */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Logger } from '../logging/logger.js';
import type { McpServerFactory } from './mcp-server.js';

export async function serveStdio(factory: McpServerFactory, logger: Logger): Promise<void> {
  const server = factory.create();
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
    // The client went away (EPIPE on stdout): nothing left to serve.
    process.stdout.once('error', () => resolve());
  });
  await server.connect(transport);
  logger.info({ tools: factory.tools.length }, 'azmcp serving MCP over stdio');
  await closed;
  await server.close().catch(() => undefined);
}
