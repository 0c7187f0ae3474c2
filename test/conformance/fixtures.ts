/**
 * The fixtures the MCP conformance suite (`@modelcontextprotocol/conformance`) expects a server to offer:
 * tools `test_*`, resources `test://…`, prompts `test_*`, completions, logging. They mirror the suite's own
 * reference ("everything") server for the active server scenarios, and live under `test/` only: they are
 * never part of azmcp's tool set. `createFixtureServerFactory()` fits the host's `McpServerFactory`, so the
 * suite drives the real Fastify app, transport and session handling with these fixtures behind them.
 */
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CompleteRequestSchema, ElicitResultSchema, type ElicitRequestParams, type LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { McpServerFactory } from '../../src/server/mcp-server.js';

/** A 1×1 red PNG and a minimal WAV, as in the suite's reference server. */
const TEST_IMAGE_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const TEST_AUDIO_BASE64 = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';

/**
 * Server → client requests (sampling, elicitation) give up after this long. Without a session (stateless)
 * the client's answer reaches another server instance, so these fail by design; this keeps them quick.
 */
const CLIENT_REQUEST_TIMEOUT_MS = 3000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

export function createFixtureServerFactory(): McpServerFactory {
  return { create: () => createFixtureServer().server, tools: [] };
}

export function createFixtureServer(): McpServer {
  const mcp = new McpServer(
    { name: 'azmcp-conformance-fixtures', version: '1.0.0' },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        logging: {},
        completions: {},
      },
    },
  );
  const log = (level: LoggingLevel, data: string) =>
    mcp.server.sendLoggingMessage({ level, logger: 'azmcp-conformance-fixtures', data }).catch(() => undefined);

  registerTools(mcp);
  registerResources(mcp, log);
  registerPrompts(mcp);
  mcp.server.setRequestHandler(CompleteRequestSchema, () => ({ completion: { values: [], total: 0, hasMore: false } }));
  return mcp;
}

function registerTools(mcp: McpServer): void {
  mcp.registerTool('test_simple_text', { description: 'Tests simple text content response' }, () => text('This is a simple text response for testing.'));
  mcp.registerTool('test_image_content', { description: 'Tests image content response' }, () => ({
    content: [{ type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' }],
  }));
  mcp.registerTool('test_audio_content', { description: 'Tests audio content response' }, () => ({
    content: [{ type: 'audio', data: TEST_AUDIO_BASE64, mimeType: 'audio/wav' }],
  }));
  mcp.registerTool('test_embedded_resource', { description: 'Tests embedded resource content response' }, () => ({
    content: [{ type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } }],
  }));
  mcp.registerTool('test_multiple_content_types', { description: 'Tests response with multiple content types (text, image, resource)' }, () => ({
    content: [
      { type: 'text', text: 'Multiple content types test:' },
      { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' },
      { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: JSON.stringify({ test: 'data', value: 123 }) } },
    ],
  }));

  mcp.registerTool('test_tool_with_logging', { description: 'Tests tool that emits log messages during execution', inputSchema: {} }, async (_args, extra) => {
    for (const [i, data] of ['Tool execution started', 'Tool processing data', 'Tool execution completed'].entries()) {
      if (i > 0) await sleep(50);
      await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data } });
    }
    return text('Tool with logging executed successfully');
  });

  mcp.registerTool('test_tool_with_progress', { description: 'Tests tool that reports progress notifications', inputSchema: {} }, async (_args, extra) => {
    const progressToken = extra._meta?.progressToken ?? 0;
    for (const [i, progress] of [0, 50, 100].entries()) {
      if (i > 0) await sleep(50);
      await extra.sendNotification({
        method: 'notifications/progress',
        params: { progressToken, progress, total: 100, message: `Completed step ${progress} of 100` },
      });
    }
    return text(String(progressToken));
  });

  mcp.registerTool('test_error_handling', { description: 'Tests error response handling' }, () => {
    throw new Error('This tool intentionally returns an error for testing');
  });

  mcp.registerTool(
    'test_sampling',
    { description: 'Tests server-initiated sampling (LLM completion request)', inputSchema: { prompt: z.string().describe('The prompt to send to the LLM') } },
    async ({ prompt }) => {
      try {
        const result = await mcp.server.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 }, { timeout: CLIENT_REQUEST_TIMEOUT_MS });
        const content = result.content as { type: string; text?: string };
        return text(`LLM response: ${content.type === 'text' ? content.text : 'No response'}`);
      } catch (error) {
        return text(`Sampling not supported or error: ${(error as Error).message}`);
      }
    },
  );

  mcp.registerTool(
    'test_elicitation',
    { description: 'Tests server-initiated elicitation (user input request)', inputSchema: { message: z.string().describe('The message to show the user') } },
    ({ message }) =>
      elicit(mcp, 'User response', {
        message,
        requestedSchema: { type: 'object', properties: { response: { type: 'string', description: "User's response" } }, required: ['response'] },
      }),
  );

  mcp.registerTool('test_elicitation_sep1034_defaults', { description: 'Tests elicitation with default values per SEP-1034', inputSchema: {} }, () =>
    elicit(mcp, 'Elicitation completed', {
      message: 'Please review and update the form fields with defaults',
      requestedSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'User name', default: 'John Doe' },
          age: { type: 'integer', description: 'User age', default: 30 },
          score: { type: 'number', description: 'User score', default: 95.5 },
          status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
          verified: { type: 'boolean', description: 'Verification status', default: true },
        },
        required: [],
      },
    }),
  );

  mcp.registerTool('test_elicitation_sep1330_enums', { description: 'Tests elicitation with enum schema improvements per SEP-1330', inputSchema: {} }, () =>
    elicit(mcp, 'Elicitation completed', {
      message: 'Please select options from the enum fields',
      requestedSchema: {
        type: 'object',
        properties: {
          untitledSingle: { type: 'string', description: 'Select one option', enum: ['option1', 'option2', 'option3'] },
          titledSingle: {
            type: 'string',
            description: 'Select one option with titles',
            oneOf: [
              { const: 'value1', title: 'First Option' },
              { const: 'value2', title: 'Second Option' },
              { const: 'value3', title: 'Third Option' },
            ],
          },
          legacyEnum: { type: 'string', description: 'Select one option (legacy)', enum: ['opt1', 'opt2', 'opt3'], enumNames: ['Option One', 'Option Two', 'Option Three'] },
          untitledMulti: { type: 'array', description: 'Select multiple options', minItems: 1, maxItems: 3, items: { type: 'string', enum: ['option1', 'option2', 'option3'] } },
          titledMulti: {
            type: 'array',
            description: 'Select multiple options with titles',
            minItems: 1,
            maxItems: 3,
            items: {
              anyOf: [
                { const: 'value1', title: 'First Choice' },
                { const: 'value2', title: 'Second Choice' },
                { const: 'value3', title: 'Third Choice' },
              ],
            },
          },
        },
        required: [],
      },
    }),
  );
}

/** Asks the client (elicitation/create); a client that cannot answer gets a readable tool result, as in the reference server. */
async function elicit(mcp: McpServer, label: string, params: ElicitRequestParams) {
  try {
    const result = await mcp.server.request({ method: 'elicitation/create', params }, ElicitResultSchema, { timeout: CLIENT_REQUEST_TIMEOUT_MS });
    return text(`${label}: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
  } catch (error) {
    return text(`Elicitation not supported or error: ${(error as Error).message}`);
  }
}

function registerResources(mcp: McpServer, log: (level: LoggingLevel, data: string) => Promise<unknown>): void {
  const plain = (uri: string, value: string) => ({ contents: [{ uri, mimeType: 'text/plain', text: value }] });
  mcp.registerResource('static-text', 'test://static-text', { title: 'Static Text Resource', description: 'A static text resource for testing', mimeType: 'text/plain' }, () =>
    plain('test://static-text', 'This is the content of the static text resource.'),
  );
  mcp.registerResource(
    'static-binary',
    'test://static-binary',
    { title: 'Static Binary Resource', description: 'A static binary resource (image) for testing', mimeType: 'image/png' },
    () => ({ contents: [{ uri: 'test://static-binary', mimeType: 'image/png', blob: TEST_IMAGE_BASE64 }] }),
  );
  mcp.registerResource(
    'template',
    new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    { title: 'Resource Template', description: 'A resource template with parameter substitution', mimeType: 'application/json' },
    (uri, { id }) => ({
      contents: [{ uri: uri.toString(), mimeType: 'application/json', text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${String(id)}` }) }],
    }),
  );
  mcp.registerResource('watched-resource', 'test://watched-resource', { title: 'Watched Resource', description: 'A resource clients may subscribe to', mimeType: 'text/plain' }, () =>
    plain('test://watched-resource', 'Watched resource content'),
  );

  const subscriptions = new Set<string>();
  mcp.server.setRequestHandler(z.object({ method: z.literal('resources/subscribe'), params: z.object({ uri: z.string() }) }), async (request) => {
    subscriptions.add(request.params.uri);
    void log('info', `Subscribed to resource: ${request.params.uri}`);
    return {};
  });
  mcp.server.setRequestHandler(z.object({ method: z.literal('resources/unsubscribe'), params: z.object({ uri: z.string() }) }), async (request) => {
    subscriptions.delete(request.params.uri);
    void log('info', `Unsubscribed from resource: ${request.params.uri}`);
    return {};
  });
}

function registerPrompts(mcp: McpServer): void {
  mcp.registerPrompt('test_simple_prompt', { title: 'Simple Test Prompt', description: 'A simple prompt without arguments' }, () => ({
    messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }],
  }));
  mcp.registerPrompt(
    'test_prompt_with_arguments',
    {
      title: 'Prompt With Arguments',
      description: 'A prompt with required arguments',
      argsSchema: { arg1: z.string().describe('First test argument'), arg2: z.string().describe('Second test argument') },
    },
    ({ arg1, arg2 }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } }] }),
  );
  mcp.registerPrompt(
    'test_prompt_with_embedded_resource',
    {
      title: 'Prompt With Embedded Resource',
      description: 'A prompt that includes an embedded resource',
      argsSchema: { resourceUri: z.string().describe('URI of the resource to embed') },
    },
    ({ resourceUri }) => ({
      messages: [
        { role: 'user', content: { type: 'resource', resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
        { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
      ],
    }),
  );
  mcp.registerPrompt('test_prompt_with_image', { title: 'Prompt With Image', description: 'A prompt that includes image content' }, () => ({
    messages: [
      { role: 'user', content: { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
    ],
  }));
}
