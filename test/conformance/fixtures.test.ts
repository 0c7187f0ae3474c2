/**
 * The official MCP conformance suite's active server scenarios against azmcp's HTTP host serving the
 * suite's fixtures (see fixture-host.ts): all pass with sessions; without sessions (`--stateless`) all
 * pass but those listed in expected-failures.stateless.json, each with its reason. A listed scenario that
 * starts passing fails the test too, so the list stays honest.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureHost, type FixtureHost } from './fixture-host.js';
import { compareWithExpected, runConformance, summarize, type SuiteRun } from './suite.js';

const STATELESS_EXPECTED_FAILURES = JSON.parse(readFileSync(new URL('./expected-failures.stateless.json', import.meta.url), 'utf8')) as Record<string, string>;

/** The active suite of 0.1.16 has 30 server scenarios; far fewer means the CLI did not really run. */
const MIN_SCENARIOS = 25;

describe.each([
  { mode: 'stateful', stateless: false, expected: {} as Record<string, string> },
  { mode: 'stateless', stateless: true, expected: STATELESS_EXPECTED_FAILURES },
])('MCP conformance, active server scenarios, $mode host with the suite fixtures', ({ mode, stateless, expected }) => {
  let host: FixtureHost;
  let run: SuiteRun;

  beforeAll(async () => {
    host = await startFixtureHost({ stateless });
    run = await runConformance({ url: host.url });
    console.log(summarize(mode, run.results, expected));
  }, 300_000);
  afterAll(async () => host?.close());

  it('runs the whole active suite', () => {
    expect(run.results.length, run.output).toBeGreaterThanOrEqual(MIN_SCENARIOS);
  });

  it('passes every scenario but the expected failures, and every expected failure still fails', () => {
    expect(compareWithExpected(run.results, expected)).toEqual({ unexpectedFailures: {}, nowPassing: [], notRun: [] });
  });
});
