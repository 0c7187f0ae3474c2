/**
 * A tool is declared once — namespace, command words, description, input, annotations, handler — and
 * everything else is derived from that value: the MCP name (`group_resource_list`), the CLI command
 * (`azmcp group resource list`), the JSON Schema, the `--mode` projections and read-only filtering.
 */
import { z } from 'zod';
import type { RequestContext } from '../context/request-context.js';
import { AzmcpError } from '../errors/azmcp-error.js';
import type { Services } from '../services/index.js';

export interface ToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export type ToolResult = Record<string, unknown>;

export interface ToolDeclaration<Shape extends z.ZodRawShape> {
  namespace: string;
  /** Command words, the first being the namespace: ['group', 'resource', 'list']. */
  command: readonly [string, ...string[]];
  description: string;
  input: Shape;
  annotations: ToolAnnotations;
  handler: (args: z.infer<z.ZodObject<Shape>>, services: Services, ctx: RequestContext) => Promise<ToolResult>;
}

export interface JsonSchemaObject {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  [key: string]: unknown;
}

export interface ToolParameter {
  name: string;
  description: string;
  required: boolean;
}

/** A declared tool with everything derived from its declaration. */
export interface Tool {
  readonly name: string;
  readonly namespace: string;
  readonly command: readonly string[];
  readonly description: string;
  readonly annotations: ToolAnnotations;
  readonly inputSchema: JsonSchemaObject;
  readonly parameters: readonly ToolParameter[];
  /** Validates raw arguments and runs the handler; invalid arguments throw AZMCP_INVALID_ARGUMENT naming them. */
  invoke(rawArgs: unknown, services: Services, ctx: RequestContext): Promise<ToolResult>;
}

export function defineTool<Shape extends z.ZodRawShape>(declaration: ToolDeclaration<Shape>): Tool {
  if (declaration.command[0] !== declaration.namespace) {
    throw new Error(`Tool command ${declaration.command.join(' ')} must start with its namespace ${declaration.namespace}`);
  }
  const schema = z.object(declaration.input).strict();
  const { $schema: _ignored, ...jsonSchema } = z.toJSONSchema(schema, { io: 'input' }) as JsonSchemaObject & { $schema?: string };
  const required = new Set(jsonSchema.required ?? []);
  const parameters = Object.entries(jsonSchema.properties).map(([name, property]) => ({
    name,
    description: String(property.description ?? ''),
    required: required.has(name),
  }));

  return {
    name: declaration.command.join('_'),
    namespace: declaration.namespace,
    command: declaration.command,
    description: declaration.description,
    annotations: declaration.annotations,
    inputSchema: jsonSchema,
    parameters,
    async invoke(rawArgs, services, ctx) {
      const parsed = schema.safeParse(rawArgs ?? {});
      if (!parsed.success) throw invalidArguments(declaration.command.join('_'), parsed.error);
      return declaration.handler(parsed.data, services, ctx);
    },
  };
}

function invalidArguments(toolName: string, error: z.ZodError): AzmcpError {
  const problems = error.issues.map((issue) => {
    const name = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') return `unknown argument(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    if (issue.code === 'invalid_type' && issue.input === undefined) return `missing required argument '${name}'`;
    return `argument '${name}': ${issue.message}`;
  });
  return new AzmcpError('AZMCP_INVALID_ARGUMENT', `Invalid arguments for ${toolName}: ${problems.join('; ')}.`, {
    nextStep: 'See the tool schema for the expected arguments.',
  });
}

/** Shared argument declarations, named as in the C# server. */
export const args = {
  tenant: z.string().min(1).optional().describe('Tenant id, display name or domain. Defaults to the identity\'s home tenant.'),
  subscription: z.string().min(1).describe('Subscription id or display name.'),
  resourceGroup: z.string().min(1).describe('Resource group name.'),
};

export const READ_ONLY_AZURE_QUERY = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
} as const;
