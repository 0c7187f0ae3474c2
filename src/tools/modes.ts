/**
 * `--mode` projections of the selected tools onto what MCP clients see:
 * - `all`: each tool on its own;
 * - `namespace` (default): one tool per namespace taking `command` (a tool name) and `parameters`;
 * - `single`: one `azure` tool taking `command` and `parameters` for every selected tool.
 * A command that is not selected is refused with the reason, whatever the mode.
 */
import type { RequestContext } from '../context/request-context.js';
import { AzmcpError } from '../errors/azmcp-error.js';
import type { Services } from '../services/index.js';
import type { JsonSchemaObject, Tool, ToolAnnotations, ToolResult } from './define-tool.js';

import type { ToolMode } from '../config/choices.js';

export { TOOL_MODES, type ToolMode } from '../config/choices.js';

export interface ExposedTool {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: JsonSchemaObject;
  readonly annotations: ToolAnnotations;
  call(args: unknown, services: Services, ctx: RequestContext): Promise<ToolResult>;
}

export function exposeTools(selected: readonly Tool[], mode: ToolMode, namespaceDescriptions: Readonly<Record<string, string>>): ExposedTool[] {
  if (mode === 'all') {
    return selected.map((tool) => ({
      name: tool.name,
      description: tool.description,
      inputSchema: tool.inputSchema,
      annotations: tool.annotations,
      call: (args, services, ctx) => tool.invoke(args, services, ctx),
    }));
  }
  if (mode === 'single') {
    return selected.length === 0 ? [] : [router('azure', 'Azure operations.', selected)];
  }
  const namespaces = [...new Set(selected.map((tool) => tool.namespace))];
  return namespaces.map((namespace) =>
    router(namespace, namespaceDescriptions[namespace] ?? `Azure ${namespace} operations.`, selected.filter((t) => t.namespace === namespace)),
  );
}

function router(name: string, summary: string, tools: readonly Tool[]): ExposedTool {
  const commands = tools.map((tool) => tool.name);
  const description = [
    `${summary} Call with \`command\` set to one of the commands below and its arguments in \`parameters\`.`,
    'Commands:',
    ...tools.map(describeCommand),
  ].join('\n');
  return {
    name,
    description,
    inputSchema: {
      type: 'object',
      properties: {
        command: { type: 'string', enum: commands, description: 'The command to run.' },
        parameters: {
          type: 'object',
          description: "The command's arguments, as listed for it in this tool's description.",
          additionalProperties: true,
        },
      },
      required: ['command'],
    },
    annotations: combineAnnotations(name, tools),
    async call(args, services, ctx) {
      const { command, parameters } = (args ?? {}) as { command?: unknown; parameters?: unknown };
      const tool = tools.find((t) => t.name === command);
      if (!tool) {
        throw new AzmcpError(
          'AZMCP_TOOL_NOT_AVAILABLE',
          typeof command === 'string' ? `Command '${command}' is not available in tool '${name}'.` : `Tool '${name}' needs a 'command' argument.`,
          { nextStep: `Use one of: ${commands.join(', ')}.` },
        );
      }
      return tool.invoke(parameters ?? {}, services, ctx);
    },
  };
}

function describeCommand(tool: Tool): string {
  const params = tool.parameters.map((p) => `${p.name}${p.required ? ' (required)' : ''}: ${p.description}`);
  return `- ${tool.name}: ${tool.description}${params.length ? ` Parameters: ${params.join('; ')}` : ' No parameters.'}`;
}

function combineAnnotations(title: string, tools: readonly Tool[]): ToolAnnotations {
  return {
    title,
    readOnlyHint: tools.every((t) => t.annotations.readOnlyHint),
    destructiveHint: tools.some((t) => t.annotations.destructiveHint),
    idempotentHint: tools.every((t) => t.annotations.idempotentHint),
    openWorldHint: tools.some((t) => t.annotations.openWorldHint),
  };
}
