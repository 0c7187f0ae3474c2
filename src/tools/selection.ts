/**
 * Which tools a server exposes: a pure function of the declared tools and the filters.
 * Precedence: `--tool` names tools exactly (and cannot be combined with `--namespace`); otherwise
 * `--namespace` keeps whole namespaces (all when none given); `--read-only` then drops every tool whose
 * `readOnlyHint` is not true. Unknown names are errors, never silently ignored.
 */
import { OptionError } from '../errors/azmcp-error.js';
import type { Tool } from './define-tool.js';

import type { ToolFilter } from '../config/choices.js';

export type { ToolFilter } from '../config/choices.js';

export function selectTools(all: readonly Tool[], filter: ToolFilter): Tool[] {
  if (filter.tools.length > 0 && filter.namespaces.length > 0) {
    throw new OptionError('--namespace cannot be combined with --tool: use one or the other.');
  }
  let selected: Tool[];
  if (filter.tools.length > 0) {
    const unknown = filter.tools.filter((name) => !all.some((tool) => tool.name === name));
    if (unknown.length > 0) {
      throw new OptionError(`--tool: unknown tool ${unknown.map((n) => `'${n}'`).join(', ')}; valid tools: ${all.map((t) => t.name).join(', ')}.`);
    }
    selected = all.filter((tool) => filter.tools.includes(tool.name));
  } else if (filter.namespaces.length > 0) {
    const namespaces = [...new Set(all.map((tool) => tool.namespace))];
    const unknown = filter.namespaces.filter((name) => !namespaces.includes(name));
    if (unknown.length > 0) {
      throw new OptionError(`--namespace: unknown namespace ${unknown.map((n) => `'${n}'`).join(', ')}; valid namespaces: ${namespaces.join(', ')}.`);
    }
    selected = all.filter((tool) => filter.namespaces.includes(tool.namespace));
  } else {
    selected = [...all];
  }
  return filter.readOnly ? selected.filter((tool) => tool.annotations.readOnlyHint) : selected;
}
