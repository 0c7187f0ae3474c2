/**
 * The benchmark behind `npm run bench` (bench/run.js prepares and starts it): azmcp side by side with the
 * C# Azure MCP Server (`@azure/mcp@2.0.5`, fetched into bench/.cache/), both serving
 * `--mode all --namespace group --namespace subscription --namespace storage`, everything on loopback.
 * Prints a table with ratios (ours/theirs) and writes bench/results.md.
 *
 * Environment: BENCH_DURATION (seconds per load run, default 10), BENCH_WARMUP (seconds, default 5),
 * BENCH_ROUNDS (tools/list runs per server, best kept, default 2), BENCH_CONNECTIONS (default 32),
 * BENCH_PROFILE=1 (our HTTP servers run with --cpu-prof into bench/.cache/profiles/),
 * BENCH_ONLY=comma-separated phases (http,obo,cold,idle,validator), BENCH_OUT (results file).
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveIncomingAuth } from '../src/config/azure-ad.js';
import { settingsFrom } from '../src/config/settings.js';
import { createTokenValidator } from '../src/host/token-validator.js';
import { createSilentLogger } from '../src/logging/logger.js';
import { startFakeAzure, type FakeAzure } from '../test/fakes/index.js';
import { fetchTrustingFake } from '../test/host/support.js';
import { startHttpServer, type HttpServerHandle } from '../test/support/http-server.js';
import { oboEnv } from '../test/support/obo-server.js';
import { AZMCP_BIN, REPO_ROOT } from '../test/support/paths.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/** Load before each measured run, so both runtimes have compiled their hot paths (.NET's tiered JIT takes a few seconds). */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
/** Measured tools/list runs per server, taken in turn; the best is reported. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PROFILE = process.env.BENCH_PROFILE === '1';
const ONLY = process.env.BENCH_ONLY?.split(',');
const OUT = process.env.BENCH_OUT ?? join(REPO_ROOT, 'bench', 'results.md');
const CACHE = join(REPO_ROOT, 'bench', '.cache');
const THEIRS_BIN = join(CACHE, 'node_modules', '@azure', 'mcp-linux-x64', 'dist', 'azmcp');
const THEIRS_VERSION = '2.0.5';
const TOOL_ARGS = ['--mode', 'all', '--namespace', 'group', '--namespace', 'subscription', '--namespace', 'storage'];
const PROTOCOL_VERSION = '2025-06-18';
const ACCEPT = 'application/json, text/event-stream';
const IDLE_SESSIONS = 1000;
const COLD_START_RUNS = 5;

const phase = (name: string) => !ONLY || ONLY.includes(name);
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

// ---------------------------------------------------------------------------------------------------------
// Servers

interface RunningServer {
  name: string;
  /** The MCP endpoint. */
  url: string;
  pid: number;
  /** Headers every MCP request needs (authorization for ours). */
  headers: Record<string, string>;
  stop(): Promise<void>;
}

/** Our server, as a user starts it, with Entra bearer validation on (tokens from the fake) unless `noAuth`. */
async function startOurs(fake: FakeAzure, token: string, options: { stateless?: boolean; noAuth?: boolean; name: string; profile?: boolean }): Promise<RunningServer> {
  const args = [...TOOL_ARGS, '--cloud', fake.cloudFile];
  if (options.stateless) args.push('--stateless');
  if (options.noAuth) args.push('--dangerously-disable-http-incoming-auth', '--outgoing-auth-strategy', 'UseHostingEnvironmentIdentity');
  const nodeArgs = ['--import', fake.loopbackGuardPath];
  if (options.profile) {
    const dir = join(CACHE, 'profiles');
    await mkdir(dir, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `${options.name.replace(/\W+/g, '-')}-${Date.now()}.cpuprofile`);
  }
  // The per-caller limit (100/min by default) would answer most of a load test with 429: off for the bench.
  const env = oboEnv(fake, undefined, { AzureMcp__MaxRequestsPerMinutePerCaller: '0' });
  const handle: HttpServerHandle = await startHttpServer({ args, env, nodeArgs });
  return {
    name: options.name,
    url: handle.url,
    pid: handle.process.pid!,
    headers: options.noAuth ? {} : { authorization: `Bearer ${token}` },
    stop: async () => {
      await handle.stop();
    },
  };
}

/** The C# server, started from its platform binary (not through its npm wrapper's node process). */
async function startTheirs(port: number): Promise<RunningServer> {
  const child = spawn(THEIRS_BIN, ['server', 'start', '--transport', 'http', '--dangerously-disable-http-incoming-auth', ...TOOL_ARGS], {
    env: theirsEnv({ ASPNETCORE_URLS: `http://127.0.0.1:${port}` }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the C# server exited (${child.exitCode}): ${stderr}`);
    const up = await fetch(url, { method: 'GET' }).then(() => true, () => false);
    if (up) break;
    if (Date.now() > deadline) throw new Error(`the C# server did not listen within 30 s: ${stderr}`);
    await sleep(100);
  }
  return { name: 'C# @azure/mcp', url, pid: child.pid!, headers: {}, stop: () => stopChild(child) };
}

function theirsEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DOTNET_CLI_TELEMETRY_OPTOUT: '1',
    AZURE_MCP_COLLECT_TELEMETRY: 'false',
    AZURE_MCP_COLLECT_TELEMETRY_MICROSOFT: 'false',
    AZURE_TOKEN_CREDENTIALS: 'EnvironmentCredential',
    ...extra,
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------------------
// MCP over HTTP

async function post(server: RunningServer, body: unknown, session?: string): Promise<{ status: number; session?: string; messages: Array<Record<string, any>> }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: ACCEPT, ...server.headers };
  if (session) Object.assign(headers, { 'mcp-session-id': session, 'mcp-protocol-version': PROTOCOL_VERSION });
  const response = await fetch(server.url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  const messages = text.trimStart().startsWith('{')
    ? [JSON.parse(text)]
    : text.split('\n').filter((l) => l.startsWith('data:')).map((l) => JSON.parse(l.slice(5)));
  return { status: response.status, session: response.headers.get('mcp-session-id') ?? undefined, messages };
}

async function openSession(server: RunningServer): Promise<string> {
  const init = await post(server, {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'azmcp-bench', version: '1.0.0' } },
  });
  if (init.status !== 200 || !init.session) throw new Error(`${server.name}: initialize answered ${init.status} ${JSON.stringify(init.messages)}`);
  await post(server, { jsonrpc: '2.0', method: 'notifications/initialized' }, init.session);
  return init.session;
}

async function toolNames(server: RunningServer, session?: string): Promise<string[]> {
  const { messages } = await post(server, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }, session);
  return (messages.find((m) => m.id === 1)?.result?.tools ?? []).map((t: { name: string }) => t.name).sort();
}

interface LoadResult {
  rps: number;
  /** Bytes read, headers included. */
  bytes: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
  peakRssMb: number;
}

/** autocannon in a worker thread, so this process (which also hosts the fake Azure) stays out of its way. */
async function load(server: RunningServer, body: Record<string, unknown>, session: string | undefined, seconds = DURATION): Promise<LoadResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: ACCEPT, ...server.headers };
  if (session) Object.assign(headers, { 'mcp-session-id': session, 'mcp-protocol-version': PROTOCOL_VERSION });
  const result = await autocannon({
    url: server.url,
    method: 'POST',
    headers,
    // Unique JSON-RPC ids: a session maps each request id to its response stream.
    body: JSON.stringify({ jsonrpc: '2.0', id: '[<id>]', ...body }),
    idReplacement: true,
    connections: CONNECTIONS,
    duration: seconds,
    workers: 1,
  });
  return {
    rps: result.requests.average,
    bytes: result.throughput.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
    peakRssMb: memoryOf(server.pid).peakMb,
  };
}

function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** RSS before and after opening IDLE_SESSIONS sessions that then sit idle. */
async function idleSessions(server: RunningServer): Promise<{ beforeMb: number; afterMb: number; opened: number }> {
  // One session opened and used first, so lazily loaded code is in the baseline.
  await toolNames(server, await openSession(server));
  await sleep(1000);
  const beforeMb = memoryOf(server.pid).rssMb;
  let opened = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < IDLE_SESSIONS - 1) {
        next++;
        await openSession(server).then(() => opened++, () => undefined);
      }
    }),
  );
  await sleep(2000);
  return { beforeMb, afterMb: memoryOf(server.pid).rssMb, opened: opened + 1 };
}

// ---------------------------------------------------------------------------------------------------------
// stdio cold start

/** Spawn → the initialize response on stdout. */
async function coldStart(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'ignore'], cwd: REPO_ROOT });
  child.stdin!.write(
    `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'azmcp-bench', version: '1' } } })}\n`,
  );
  const ms = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${command}: no initialize answer in 30 s`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('"id":1')) {
        clearTimeout(timer);
        resolve(performance.now() - started);
      }
    });
  });
  child.stdin!.end();
  await stopChild(child);
  return ms;
}

async function medianColdStart(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  await coldStart(command, args, env); // page cache warm, not counted
  const runs: number[] = [];
  for (let i = 0; i < COLD_START_RUNS; i++) runs.push(await coldStart(command, args, env));
  return median(runs);
}

// ---------------------------------------------------------------------------------------------------------
// Bearer validation micro-benchmark (in process)

async function validatorCost(fake: FakeAzure): Promise<{ uncachedUs: number; cachedUs: number }> {
  const auth = resolveIncomingAuth(
    settingsFrom({ 'AzureAd:Instance': `${fake.entraUrl}/`, 'AzureAd:TenantId': fake.tenantId, 'AzureAd:ClientId': fake.clients.serverApp.clientId }),
  );
  const validator = createTokenValidator({ auth, logger: createSilentLogger(), fetch: fetchTrustingFake(fake) });
  const distinct = 2000;
  const tokens = await Promise.all(Array.from({ length: distinct }, (_, i) => fake.mintToken(fake.principals.alice, { jti: `bench-${i}` })));
  await validator.validate(tokens[0]!); // discovery + JWKS fetched: only verification is timed
  const time = async (list: readonly string[]) => {
    const started = performance.now();
    for (const token of list) await validator.validate(token);
    return ((performance.now() - started) * 1000) / list.length;
  };
  const uncachedUs = await time(tokens.slice(1));
  const same = Array.from({ length: 20_000 }, () => tokens[1]!);
  await time(same.slice(0, 1000));
  const cachedUs = await time(same);
  return { uncachedUs, cachedUs };
}

// ---------------------------------------------------------------------------------------------------------

interface Row {
  measure: string;
  ours: number | undefined;
  theirs: number | undefined;
  unit: string;
  /** Higher is better (throughput) or lower is better (latency, memory, time). */
  better: 'higher' | 'lower';
  target?: string;
  note?: string;
}

async function main(): Promise<void> {
  const theirsAvailable = existsSync(THEIRS_BIN);
  const theirsProblem = theirsAvailable ? undefined : process.env.BENCH_THEIRS_PROBLEM ?? `${THEIRS_BIN} is missing`;
  if (theirsProblem) log(`the C# server is not available (${theirsProblem}); benchmarking ours only`);

  const fake = await startFakeAzure({ pageSize: 100 });
  const token = await fake.mintToken(fake.principals.alice, { exp: Math.floor(Date.now() / 1000) + 4 * 3600 });
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    if (phase('http')) {
      // All four servers up at once; each warmed up, then measured ROUNDS times in turn (best run kept), so a
      // burst of noise on this shared machine does not decide a ratio.
      const servers: Array<{ key: 'stateful' | 'stateless' | 'noAuth' | 'theirs'; server: RunningServer; session?: string }> = [
        { key: 'stateful', server: await startOurs(fake, token, { name: 'azmcp (auth on)', profile: PROFILE }) },
        { key: 'stateless', server: await startOurs(fake, token, { name: 'azmcp --stateless (auth on)', stateless: true, profile: PROFILE }) },
        { key: 'noAuth', server: await startOurs(fake, token, { name: 'azmcp (auth off)', noAuth: true }) },
      ];
      if (theirsAvailable) servers.push({ key: 'theirs', server: await startTheirs(await freePort()) });
      const ourTools = await toolNames(servers[0]!.server, await openSession(servers[0]!.server));
      const theirTools = theirsAvailable ? await toolNames(servers[3]!.server, await openSession(servers[3]!.server)) : [];
      notes.push(`Tools served — ours (${ourTools.length}): ${ourTools.join(', ')}${theirsAvailable ? `; theirs (${theirTools.length}): ${theirTools.join(', ')}` : ''}.`);
      const best: Partial<Record<(typeof servers)[number]['key'], LoadResult>> = {};
      const listTools = { method: 'tools/list', params: {} };
      for (const entry of servers) {
        entry.session = entry.key === 'stateless' ? undefined : await openSession(entry.server);
        log(`${entry.server.name}: ${WARMUP} s warm-up`);
        await load(entry.server, listTools, entry.session, WARMUP);
      }
      for (let round = 1; round <= ROUNDS; round++) {
        for (const entry of servers) {
          log(`${entry.server.name}: tools/list for ${DURATION} s at ${CONNECTIONS} connections (round ${round}/${ROUNDS})`);
          const result = await load(entry.server, listTools, entry.session);
          if (!best[entry.key] || result.rps > best[entry.key]!.rps) best[entry.key] = result;
        }
      }
      for (const { server } of servers) await server.stop();
      const { stateful: oursStateful, stateless: oursStateless, noAuth: oursNoAuth, theirs } = best as Record<string, LoadResult>;
      if (!oursStateful || !oursStateless || !oursNoAuth) throw new Error('a load run did not complete');
      for (const [label, r] of [['ours', oursStateful], ['theirs', theirs]] as const) {
        if (r) notes.push(`tools/list answer size, ${label}: ${Math.round(r.bytes / r.total).toLocaleString('en-US')} bytes on the wire per request (headers and SSE framing included).`);
      }
      for (const [label, r] of [
        ['ours auth on, stateful', oursStateful],
        ['ours auth on, stateless', oursStateless],
        ['ours auth off, stateful', oursNoAuth],
        ['theirs auth off, stateful', theirs],
      ] as const) {
        if (r && (r.non2xx > 0 || r.errors > 0)) notes.push(`${label}: ${r.non2xx} non-2xx answers and ${r.errors} errors/timeouts out of ${r.total} requests.`);
      }
      rows.push(
        { measure: 'tools/list req/s, ours auth ON vs theirs auth off (stateful)', ours: oursStateful.rps, theirs: theirs?.rps, unit: 'req/s', better: 'higher', target: '>= 2x' },
        { measure: 'tools/list p50 latency (stateful)', ours: oursStateful.p50, theirs: theirs?.p50, unit: 'ms', better: 'lower' },
        { measure: 'tools/list p99 latency (stateful)', ours: oursStateful.p99, theirs: theirs?.p99, unit: 'ms', better: 'lower', target: '< theirs' },
        { measure: 'tools/list req/s, ours --stateless auth ON', ours: oursStateless.rps, theirs: theirs?.rps, unit: 'req/s', better: 'higher' },
        { measure: 'tools/list p99 latency, ours --stateless', ours: oursStateless.p99, theirs: theirs?.p99, unit: 'ms', better: 'lower' },
        { measure: 'tools/list req/s, ours auth off (stateful)', ours: oursNoAuth.rps, theirs: theirs?.rps, unit: 'req/s', better: 'higher' },
        { measure: 'peak RSS under tools/list load (stateful)', ours: oursStateful.peakRssMb, theirs: theirs?.peakRssMb, unit: 'MB', better: 'lower', target: '<= theirs' },
        { measure: 'peak RSS under tools/list load, ours --stateless', ours: oursStateless.peakRssMb, theirs: theirs?.peakRssMb, unit: 'MB', better: 'lower' },
      );
    }

    if (phase('obo')) {
      const ours = await startOurs(fake, token, { name: 'azmcp OBO subscription_list', profile: PROFILE });
      const session = await openSession(ours);
      const call = { method: 'tools/call', params: { name: 'subscription_list', arguments: {} } };
      const first = await post(ours, { jsonrpc: '2.0', id: 1, ...call }, session);
      const result = first.messages.find((m) => m.id === 1)?.result;
      if (!result || result.isError) throw new Error(`subscription_list failed: ${JSON.stringify(first.messages)}`);
      await load(ours, call, session, WARMUP);
      log(`${ours.name}: tools/call subscription_list for ${DURATION} s`);
      const obo = await load(ours, call, session);
      await ours.stop();
      const exchanges = fake.state.tokenRequests({ grantType: 'obo' }).length;
      notes.push(`subscription_list under on-behalf-of: ${obo.total} calls, ${exchanges} on-behalf-of exchange(s) at the fake Entra (warm cache), ${obo.non2xx} non-2xx, ${obo.errors} errors.`);
      rows.push({
        measure: 'tools/call subscription_list req/s under OBO (warm cache, fake ARM)',
        ours: obo.rps,
        theirs: undefined,
        unit: 'req/s',
        better: 'higher',
        note: 'theirs: n/a, see notes',
      });
      rows.push({ measure: 'tools/call subscription_list p99 under OBO', ours: obo.p99, theirs: undefined, unit: 'ms', better: 'lower' });
    }

    if (phase('cold')) {
      log('stdio cold start');
      const ourEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, AZURE_TOKEN_CREDENTIALS: 'EnvironmentCredential' };
      const ours = await medianColdStart(process.execPath, [AZMCP_BIN, 'server', 'start', ...TOOL_ARGS], ourEnv);
      const theirs = theirsAvailable ? await medianColdStart(THEIRS_BIN, ['server', 'start', ...TOOL_ARGS], theirsEnv()) : undefined;
      rows.push({ measure: `stdio cold start, spawn → initialize answered (median of ${COLD_START_RUNS})`, ours, theirs, unit: 'ms', better: 'lower', target: '>= 3x faster' });
    }

    if (phase('idle')) {
      log(`${IDLE_SESSIONS} idle sessions`);
      const ours = await startOurs(fake, token, { name: 'azmcp idle sessions' });
      const ourIdle = await idleSessions(ours);
      await ours.stop();
      let theirIdle: Awaited<ReturnType<typeof idleSessions>> | undefined;
      if (theirsAvailable) {
        const server = await startTheirs(await freePort());
        theirIdle = await idleSessions(server);
        await server.stop();
      }
      notes.push(`Idle sessions opened: ours ${ourIdle.opened}${theirIdle ? `, theirs ${theirIdle.opened}` : ''}. RSS before → after: ours ${mb(ourIdle.beforeMb)} → ${mb(ourIdle.afterMb)}${theirIdle ? `, theirs ${mb(theirIdle.beforeMb)} → ${mb(theirIdle.afterMb)}` : ''}.`);
      rows.push(
        { measure: `RSS with ${IDLE_SESSIONS} open idle sessions`, ours: ourIdle.afterMb, theirs: theirIdle?.afterMb, unit: 'MB', better: 'lower' },
        { measure: `RSS added by ${IDLE_SESSIONS} idle sessions`, ours: ourIdle.afterMb - ourIdle.beforeMb, theirs: theirIdle ? theirIdle.afterMb - theirIdle.beforeMb : undefined, unit: 'MB', better: 'lower', target: '< 100 MB' },
      );
    }

    if (phase('validator')) {
      log('bearer validation micro-benchmark');
      const cost = await validatorCost(fake);
      rows.push(
        { measure: 'bearer validation per request, token not seen before (signature verified)', ours: cost.uncachedUs, theirs: undefined, unit: 'µs', better: 'lower' },
        { measure: 'bearer validation per request, same token again (cached)', ours: cost.cachedUs, theirs: undefined, unit: 'µs', better: 'lower' },
      );
    }
  } finally {
    await fake.close();
  }

  if (theirsProblem) notes.push(`The C# server could not run: ${theirsProblem}.`);
  notes.push(
    'Theirs, subscription_list under on-behalf-of: not measured. Their OBO needs incoming auth against a real Entra tenant, and for AzureCloud their ARM endpoint is management.azure.com; their --cloud changes only the authority host, so they cannot be pointed at a loopback ARM.',
    'Theirs, bearer validation: not measured in isolation (it is inside ASP.NET Core; their load runs have incoming auth off, as the issue asks).',
  );
  const table = renderTable(rows);
  process.stdout.write(`\n${table}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
  writeFileSync(OUT, renderResults(table, notes));
  log(`wrote ${OUT}`);
}

function renderTable(rows: readonly Row[]): string {
  const lines = ['| measure | ours | theirs | ours/theirs | target |', '|---|---:|---:|---:|---|'];
  for (const row of rows) {
    const ratio = row.ours !== undefined && row.theirs !== undefined && row.theirs !== 0 ? `${(row.ours / row.theirs).toFixed(2)}` : 'n/a';
    lines.push(`| ${row.measure} | ${fmt(row.ours, row.unit)} | ${fmt(row.theirs, row.unit)} | ${ratio} | ${row.target ?? ''}${row.note ? ` ${row.note}` : ''} |`);
  }
  return lines.join('\n');
}

function renderResults(table: string, notes: readonly string[]): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model ?? 'unknown';
  return `# Benchmark results

Written by \`npm run bench\` (bench/main.ts): azmcp ${JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version} against the C# Azure MCP Server \`@azure/mcp@${THEIRS_VERSION}\`,
both serving \`${TOOL_ARGS.join(' ')}\`, on one machine, loopback only${process.env.BENCH_NETNS === '1' ? ' (inside a network namespace with nothing but loopback)' : ''}.

## Machine
- CPU: ${model}, ${cpus.length} cores (\`nproc\`: ${os.availableParallelism()})
- Memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB
- OS: ${os.type()} ${os.release()} ${os.arch()}
- Node: ${process.version} (azmcp and the load generator)
- Date: ${new Date().toISOString()}

## Method
- Load: autocannon (in a worker thread), ${CONNECTIONS} connections, ${DURATION} s per run after a ${WARMUP} s warm-up at the same load, one POST /mcp per request with a unique JSON-RPC id. The tools/list servers run side by side and are measured ${ROUNDS} times in turn; the best run of each is reported (the machine is shared, and single runs vary by ±30 %).
- Stateful runs open one session (initialize + notifications/initialized) and send every request in it; \`--stateless\` runs send no session id.
- Ours: \`node bin/azmcp.js server start --transport http ${TOOL_ARGS.join(' ')}\` with Entra bearer validation on (tokens minted by the fake Entra in test/fakes, JWKS over HTTPS on loopback) and the per-caller rate limit off (\`AzureMcp__MaxRequestsPerMinutePerCaller=0\`). Theirs: the platform binary \`azmcp server start --transport http --dangerously-disable-http-incoming-auth\` on \`ASPNETCORE_URLS=http://127.0.0.1:<port>\`, telemetry off. Both log each request as they do by default.
- Peak RSS: \`VmHWM\` of the server process after its load run. Idle sessions: \`VmRSS\` after one session, then after ${IDLE_SESSIONS} sessions in total were opened and left idle for 2 s.
- Cold start: spawn → the \`initialize\` answer on stdout, median of ${COLD_START_RUNS} after one unmeasured run; theirs is the platform binary itself (their npm wrapper adds a Node start on top).
- Bearer validation: the host's validator in process, 2,000 distinct tokens (each needs its RS256 signature verified) vs the same token 20,000 times.

## Results
${table}

${notes.map((n) => `- ${n}`).join('\n')}

${readFileSync(join(REPO_ROOT, 'bench', 'optimisations.md'), 'utf8')}`;
}

function fmt(value: number | undefined, unit: string): string {
  if (value === undefined || Number.isNaN(value)) return 'n/a';
  const digits = unit === 'µs' || unit === 'ms' ? (value < 10 ? 2 : value < 100 ? 1 : 0) : value < 100 ? 1 : 0;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`;
}

const mb = (value: number) => `${value.toFixed(0)} MB`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

await main();
