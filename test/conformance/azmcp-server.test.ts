/**
 * The conformance scenarios that need no fixtures, against the real product as a user starts it:
 * `node bin/azmcp.js server start --transport http --dangerously-disable-http-incoming-auth --port 0`.
 * The server never calls Azure here; the loopback guard and EnvironmentCredential make sure of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServerHandle } from '../support/http-server.js';
import { compareWithExpected, runConformance, summarize, type SuiteRun } from './suite.js';

const FIXTURE_FREE_SCENARIOS = ['server-initialize', 'ping', 'logging-set-level', 'tools-list', 'dns-rebinding-protection', 'server-sse-multiple-streams'];
const LOOPBACK_GUARD = new URL('../fakes/probes/loopback-guard.mjs', import.meta.url);

describe('MCP conformance, fixture-free scenarios, azmcp server start --transport http', () => {
  let server: HttpServerHandle;
  let run: SuiteRun;

  beforeAll(async () => {
    server = await startHttpServer({
      args: ['--dangerously-disable-http-incoming-auth'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_OPTIONS: `--import ${LOOPBACK_GUARD.href}`,
        AZURE_TOKEN_CREDENTIALS: 'EnvironmentCredential',
      },
    });
    run = await runConformance({ url: server.url, scenarios: FIXTURE_FREE_SCENARIOS });
    console.log(summarize('azmcp server', run.results));
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('passes every fixture-free scenario', () => {
    expect(run.results.map((r) => r.scenario).sort()).toEqual([...FIXTURE_FREE_SCENARIOS].sort());
    expect(compareWithExpected(run.results, {})).toEqual({ unexpectedFailures: {}, nowPassing: [], notRun: [] });
  });

  it('never reached beyond loopback', () => {
    expect(server.stderr()).not.toContain('LOOPBACK-GUARD refused');
  });
});
