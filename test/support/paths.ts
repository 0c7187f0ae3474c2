import { fileURLToPath } from 'node:url';

/** The CLI as a user runs it: `node bin/azmcp.js …` (built by `npm test` before vitest starts). */
export const AZMCP_BIN = fileURLToPath(new URL('../../bin/azmcp.js', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
