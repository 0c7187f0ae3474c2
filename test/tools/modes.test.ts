import { describe, expect, it } from 'vitest';
import { createCliContext } from '../../src/context/request-context.js';
import { createSilentLogger } from '../../src/logging/logger.js';
import type { Services } from '../../src/services/index.js';
import { ALL_TOOLS, NAMESPACE_DESCRIPTIONS } from '../../src/tools/catalog.js';
import { defineTool } from '../../src/tools/define-tool.js';
import { exposeTools } from '../../src/tools/modes.js';

const ctx = createCliContext(createSilentLogger());
// Tools under test here never reach a service: invalid arguments and routing are checked first.
const noServices = {} as Services;

describe('exposeTools: --mode projections', () => {
  it('all: one MCP tool per declared tool, with its own schema', () => {
    const exposed = exposeTools(ALL_TOOLS, 'all', NAMESPACE_DESCRIPTIONS);
    expect(exposed.map((t) => t.name)).toEqual(ALL_TOOLS.map((t) => t.name));
    const group = exposed.find((t) => t.name === 'group_resource_list')!;
    expect(group.inputSchema.required).toEqual(['subscription', 'resource-group']);
    expect(Object.keys(group.inputSchema.properties)).toEqual(['subscription', 'resource-group', 'tenant']);
  });

  it('namespace: one tool per namespace whose command enum lists its tools', () => {
    const exposed = exposeTools(ALL_TOOLS, 'namespace', NAMESPACE_DESCRIPTIONS);
    expect(exposed.map((t) => t.name)).toEqual(['subscription', 'group', 'storage', 'identity']);
    const group = exposed.find((t) => t.name === 'group')!;
    expect(group.inputSchema.properties.command).toMatchObject({ enum: ['group_list', 'group_resource_list'] });
    expect(group.description).toContain('group_resource_list');
    expect(group.description).toContain('resource-group (required)');
    expect(group.annotations.readOnlyHint).toBe(true);
  });

  it('single: one azure tool routing to every selected tool', () => {
    const exposed = exposeTools(ALL_TOOLS, 'single', NAMESPACE_DESCRIPTIONS);
    expect(exposed.map((t) => t.name)).toEqual(['azure']);
    expect(exposed[0]!.inputSchema.properties.command).toMatchObject({ enum: ALL_TOOLS.map((t) => t.name) });
  });

  it('refuses a command that is not selected, naming the valid ones', async () => {
    const [group] = exposeTools(ALL_TOOLS.filter((t) => t.name === 'group_list'), 'namespace', NAMESPACE_DESCRIPTIONS);
    await expect(group!.call({ command: 'group_resource_list', parameters: {} }, noServices, ctx)).rejects.toMatchObject({
      code: 'AZMCP_TOOL_NOT_AVAILABLE',
      message: "Command 'group_resource_list' is not available in tool 'group'.",
      nextStep: 'Use one of: group_list.',
    });
  });

  it('names a missing required argument before calling Azure', async () => {
    const [azure] = exposeTools(ALL_TOOLS, 'single', NAMESPACE_DESCRIPTIONS);
    await expect(azure!.call({ command: 'group_resource_list', parameters: { subscription: 's' } }, noServices, ctx)).rejects.toMatchObject({
      code: 'AZMCP_INVALID_ARGUMENT',
      message: "Invalid arguments for group_resource_list: missing required argument 'resource-group'.",
    });
  });

  it('refuses unknown arguments rather than ignoring them', async () => {
    const [groupList] = exposeTools(ALL_TOOLS.filter((t) => t.name === 'group_list'), 'all', NAMESPACE_DESCRIPTIONS);
    await expect(groupList!.call({ subscription: 's', resourceGroup: 'x' }, noServices, ctx)).rejects.toMatchObject({
      message: expect.stringContaining("unknown argument(s) 'resourceGroup'"),
    });
  });
});

describe('defineTool', () => {
  it('derives the MCP name from the command words and insists they start with the namespace', () => {
    expect(ALL_TOOLS.map((t) => t.command.join(' '))).toContain('storage account get');
    expect(() =>
      defineTool({
        namespace: 'group',
        command: ['storage', 'x'],
        description: 'x',
        input: {},
        annotations: { title: 'x', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
        handler: async () => ({}),
      }),
    ).toThrow(/must start with its namespace/);
  });
});
