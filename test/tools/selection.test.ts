import { describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors/azmcp-error.js';
import { ALL_TOOLS } from '../../src/tools/catalog.js';
import { defineTool } from '../../src/tools/define-tool.js';
import { selectTools } from '../../src/tools/selection.js';

const names = (tools: { name: string }[]) => tools.map((t) => t.name);
const none = { namespaces: [], tools: [], readOnly: false };

const writer = defineTool({
  namespace: 'group',
  command: ['group', 'delete'],
  description: 'Deletes a group (test fixture).',
  input: {},
  annotations: { title: 'Delete', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  handler: async () => ({}),
});

describe('selectTools: precedence matrix', () => {
  it('selects every tool when no filter is given', () => {
    expect(names(selectTools(ALL_TOOLS, none))).toEqual([
      'subscription_list',
      'group_list',
      'group_resource_list',
      'storage_account_get',
      'identity_whoami',
    ]);
  });

  it('keeps whole namespaces with --namespace', () => {
    expect(names(selectTools(ALL_TOOLS, { ...none, namespaces: ['group'] }))).toEqual(['group_list', 'group_resource_list']);
    expect(names(selectTools(ALL_TOOLS, { ...none, namespaces: ['storage', 'subscription'] }))).toEqual([
      'subscription_list',
      'storage_account_get',
    ]);
  });

  it('keeps exactly the named tools with --tool', () => {
    expect(names(selectTools(ALL_TOOLS, { ...none, tools: ['group_resource_list'] }))).toEqual(['group_resource_list']);
  });

  it('refuses --tool with --namespace', () => {
    expect(() => selectTools(ALL_TOOLS, { ...none, tools: ['group_list'], namespaces: ['group'] })).toThrow(/cannot be combined/);
  });

  it('reports unknown namespaces and tools with the valid names', () => {
    expect(() => selectTools(ALL_TOOLS, { ...none, namespaces: ['nope'] })).toThrow(OptionError);
    expect(() => selectTools(ALL_TOOLS, { ...none, namespaces: ['nope'] })).toThrow(/valid namespaces: subscription, group, storage, identity/);
    expect(() => selectTools(ALL_TOOLS, { ...none, tools: ['group_nope'] })).toThrow(/unknown tool 'group_nope'.*valid tools: subscription_list/);
  });

  it('drops tools without readOnlyHint under --read-only, after the other filters', () => {
    const all = [...ALL_TOOLS, writer];
    expect(names(selectTools(all, { ...none, namespaces: ['group'] }))).toContain('group_delete');
    expect(names(selectTools(all, { ...none, namespaces: ['group'], readOnly: true }))).toEqual(['group_list', 'group_resource_list']);
    expect(names(selectTools(all, { ...none, tools: ['group_delete'], readOnly: true }))).toEqual([]);
  });
});
