// Every exposed tool schema is snapshotted in test/tools/__snapshots__: a change to a name, description,
// argument or annotation shows up in review instead of slipping out to users unseen.
import { describe, expect, it } from 'vitest';
import { ALL_TOOLS, NAMESPACE_DESCRIPTIONS } from '../../src/tools/catalog.js';
import { exposeTools, TOOL_MODES } from '../../src/tools/modes.js';

describe('tool schema snapshots', () => {
  for (const mode of TOOL_MODES) {
    it(`--mode ${mode}`, async () => {
      const listed = exposeTools(ALL_TOOLS, mode, NAMESPACE_DESCRIPTIONS).map(({ name, description, inputSchema, annotations }) => ({
        name,
        description,
        inputSchema,
        annotations,
      }));
      await expect(JSON.stringify(listed, null, 2)).toMatchFileSnapshot(`./__snapshots__/tools.${mode}.json`);
    });
  }
});
