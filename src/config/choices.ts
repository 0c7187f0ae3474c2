/**
 * The values `server start` options choose between. They live in config/, a leaf every layer may use,
 * so options are validated here while credentials/ and tools/ import the same definitions.
 */

/** Resolved `--outgoing-auth-strategy` (NotSet never survives resolution). */
export type OutgoingAuthStrategy = 'UseHostingEnvironmentIdentity' | 'UseOnBehalfOf';

/** Under UseOnBehalfOf, what app-only callers (who have no user to act for) get: refused, or the hosting identity. */
export const APP_ONLY_CALLER_STRATEGIES = ['Reject', 'UseHostingEnvironmentIdentity'] as const;
export type AppOnlyCallerStrategy = (typeof APP_ONLY_CALLER_STRATEGIES)[number];

/** `--mode`: one `azure` tool, one tool per namespace, or every tool on its own. */
export type ToolMode = 'single' | 'namespace' | 'all';
export const TOOL_MODES: readonly ToolMode[] = ['single', 'namespace', 'all'];

/** `--namespace`, `--tool` and `--read-only`, as tool selection applies them. */
export interface ToolFilter {
  namespaces: readonly string[];
  tools: readonly string[];
  readOnly: boolean;
}
