// Data flows one way: cli → host → server → tools → services → credentials, and config, context,
// logging and errors are leaves any layer may use. This test keeps the arrows pointing that way.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const LAYERS = ['cli', 'host', 'server', 'tools', 'services', 'credentials'];
const LEAVES = ['config', 'context', 'logging', 'errors'];

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

const folderOf = (path: string) => relative(SRC, path).split(sep)[0]!;

function allowed(from: string, to: string): boolean {
  if (from === to || LEAVES.includes(to)) return true;
  if (LEAVES.includes(from)) return false;
  return LAYERS.indexOf(to) > LAYERS.indexOf(from);
}

describe('layering', () => {
  it('every src folder is a known layer or leaf', () => {
    const folders = new Set([...sourceFiles(SRC)].map(folderOf));
    expect([...folders].filter((f) => !LAYERS.includes(f) && !LEAVES.includes(f))).toEqual([]);
  });

  it('imports only point down the flow or to the leaves', () => {
    const violations: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const from = folderOf(file);
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
        const to = folderOf(join(file, '..', specifier!));
        if (!allowed(from, to)) violations.push(`${relative(SRC, file)} → ${specifier}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
