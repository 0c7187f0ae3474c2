/**
 * Spawns `node bin/azmcp.js server start …` exactly as VS Code's mcp.json would, and connects the real
 * MCP SDK client to it over stdio. Everything the server writes to stderr is kept for assertions.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AZMCP_BIN, REPO_ROOT } from './paths.js';

export interface StdioSession {
  client: Client;
  stderr(): string;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

export async function startStdioServer(args: string[], env: NodeJS.ProcessEnv): Promise<StdioSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [AZMCP_BIN, 'server', 'start', ...args],
    env: env as Record<string, string>,
    cwd: REPO_ROOT,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'azmcp-tests', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    stderr: () => stderr,
    call: async (name, toolArgs = {}) => (await client.callTool({ name, arguments: toolArgs })) as CallToolResult,
    close: () => client.close(),
  };
}

/** The text of a tool result's first content block. */
export function resultText(result: CallToolResult): string {
  const first = result.content[0];
  return first && first.type === 'text' ? first.text : '';
}
