/**
 * What a user sees of the process itself: option errors before anything starts, stdout carrying only
 * JSON-RPC, tool filters and modes, a missing credential explained, and tools as CLI commands.
 */
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SUBSCRIPTIONS } from '../fakes/defaults.js';
import { startFakeAzure, type FakeAzure } from '../fakes/index.js';
import { hostingEnv } from '../support/hosting-env.js';
import { AZMCP_BIN } from '../support/paths.js';
import { resultText, startStdioServer } from '../support/stdio-client.js';

let fake: FakeAzure;
beforeAll(async () => {
  fake = await startFakeAzure();
});
afterAll(async () => {
  await fake?.close();
});

/** Runs the CLI asynchronously (the fakes live in this process, so it must not block). */
function run(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AZMCP_BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('option errors', () => {
  it.each([
    [['--transport', 'sse'], "error: --transport 'sse' is not valid; use one of: stdio, http."],
    [['--port', '9000'], 'error: --port requires --transport http.'],
    [['--outgoing-auth-strategy', 'UseOnBehalfOf'], 'error: --outgoing-auth-strategy UseOnBehalfOf needs --transport http with incoming authentication'],
    [['--namespace', 'group', '--tool', 'group_list'], 'error: --namespace cannot be combined with --tool'],
    [['--namespace', 'compute'], "error: --namespace: unknown namespace 'compute'; valid namespaces: subscription, group, storage, identity."],
    [['--cloud', 'Mars'], "error: --cloud: 'Mars' is neither a cloud name"],
  ])('server start %j exits non-zero with one line naming the fix', (args, message) => {
    const result = spawnSync(process.execPath, [AZMCP_BIN, 'server', 'start', ...args], { encoding: 'utf8', input: '' });
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')[0]).toContain(message);
    expect(result.stderr.trim().split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
  });

  it('refuses an invalid AZURE_TOKEN_CREDENTIALS at start-up', () => {
    const result = spawnSync(process.execPath, [AZMCP_BIN, 'server', 'start'], { encoding: 'utf8', input: '', env: { ...process.env, AZURE_TOKEN_CREDENTIALS: 'cli' } });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("error: AZURE_TOKEN_CREDENTIALS='cli' is not valid");
  });
});

describe('stdout is the MCP channel', () => {
  it('carries nothing but JSON-RPC, even with --debug and a failing tool call', async () => {
    const messages = [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'subscription', arguments: { command: 'subscription_list' } } },
      { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'group', arguments: { command: 'group_list', parameters: { subscription: 'nope' } } } },
    ];
    // stdin stays open until every answer is in, then closes so the server exits.
    const child = spawn(process.execPath, [AZMCP_BIN, 'server', 'start', '--debug', '--cloud', fake.cloudFile], { env: hostingEnv(fake) });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const done = new Promise<void>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (stdout.split('\n').filter(Boolean).length >= 4) resolve();
      });
    });
    for (const message of messages) child.stdin.write(`${JSON.stringify(message)}\n`);
    await done;
    child.stdin.end();
    await new Promise((resolve) => child.on('close', resolve));

    const lines = stdout.split('\n').filter(Boolean);
    const parsed = lines.map((line) => JSON.parse(line) as { jsonrpc: string; id: number; result?: { isError?: boolean } });
    expect(parsed.every((m) => m.jsonrpc === '2.0')).toBe(true);
    expect(parsed.map((m) => m.id)).toEqual([1, 2, 3, 4]);
    expect(parsed[2]!.result?.isError).toBeFalsy();
    expect(parsed[3]!.result?.isError).toBe(true);
    expect(stderr).toContain('"level":20'); // debug logs went to stderr
  });
});

describe('modes and filters over stdio', () => {
  it('groups tools by namespace by default and routes commands', async () => {
    const server = await startStdioServer(['--cloud', fake.cloudFile], hostingEnv(fake));
    try {
      const { tools } = await server.client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['subscription', 'group', 'storage', 'identity']);
      const result = await server.call('group', { command: 'group_list', parameters: { subscription: 'Contoso Prod' } });
      expect(result.isError).toBeFalsy();
      expect((result.structuredContent as { groups: Array<{ name: string }> }).groups.map((g) => g.name).sort()).toEqual(['rg-prod-app', 'rg-prod-data']);
    } finally {
      await server.close();
    }
  });

  it('--namespace group shows only the group tools', async () => {
    const server = await startStdioServer(['--namespace', 'group', '--mode', 'all', '--cloud', fake.cloudFile], hostingEnv(fake));
    try {
      expect((await server.client.listTools()).tools.map((t) => t.name)).toEqual(['group_list', 'group_resource_list']);
      const hidden = await server.call('subscription_list');
      expect(hidden.isError).toBe(true);
      expect(resultText(hidden)).toContain("Tool 'subscription_list' is not available on this server");
    } finally {
      await server.close();
    }
  });

  it('--mode single exposes one azure tool; --tool forces all mode', async () => {
    const single = await startStdioServer(['--mode', 'single', '--read-only', '--cloud', fake.cloudFile], hostingEnv(fake));
    try {
      expect((await single.client.listTools()).tools.map((t) => t.name)).toEqual(['azure']);
      const result = await single.call('azure', { command: 'subscription_list', parameters: {} });
      expect((result.structuredContent as { subscriptions: unknown[] }).subscriptions).toHaveLength(5);
    } finally {
      await single.close();
    }
    const tool = await startStdioServer(['--tool', 'identity_whoami', '--mode', 'single', '--cloud', fake.cloudFile], hostingEnv(fake));
    try {
      expect((await tool.client.listTools()).tools.map((t) => t.name)).toEqual(['identity_whoami']);
    } finally {
      await tool.close();
    }
  });
});

describe('no credential available', () => {
  it('is a tool error saying what was tried and how to sign in, and the server keeps serving', async () => {
    const env = { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: fake.caCertPath, AZURE_TOKEN_CREDENTIALS: 'EnvironmentCredential' };
    const server = await startStdioServer(['--mode', 'all', '--cloud', fake.cloudFile], env);
    try {
      const result = await server.call('subscription_list');
      expect(result.isError).toBe(true);
      const text = resultText(result);
      expect(text).toMatch(/^AZMCP_CREDENTIAL_UNAVAILABLE: No Azure credential is available\. Tried: .*EnvironmentCredential/);
      expect(text).toContain('az login');
      expect((await server.client.listTools()).tools).toHaveLength(5);
    } finally {
      await server.close();
    }
  });
});

describe('a rejected hosting credential', () => {
  it('names the hosting identity\'s settings, not the on-behalf-of ones', async () => {
    const server = await startStdioServer(['--mode', 'all', '--cloud', fake.cloudFile], hostingEnv(fake, { AZURE_CLIENT_SECRET: 'not-the-secret' }));
    try {
      const result = await server.call('subscription_list');
      expect(result.isError).toBe(true);
      const text = resultText(result);
      expect(text).toMatch(/^AZMCP_AUTHENTICATION_FAILED: The hosting identity's client credential was rejected \(AADSTS7000215\)/);
      expect(text).toContain('AZURE_CLIENT_SECRET');
      expect(text).not.toContain('AzureAd__');
    } finally {
      await server.close();
    }
  });
});

describe('tools as CLI commands', () => {
  it('azmcp subscription list prints the JSON', async () => {
    const { code, stdout, stderr } = await run(['subscription', 'list', '--cloud', fake.cloudFile], hostingEnv(fake));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const { subscriptions } = JSON.parse(stdout) as { subscriptions: Array<{ displayName: string }> };
    expect(subscriptions).toHaveLength(5);
  });

  it('azmcp group resource list takes the contract argument names as flags', async () => {
    const { code, stdout } = await run(
      ['group', 'resource', 'list', '--subscription', DEFAULT_SUBSCRIPTIONS.contosoDev.subscriptionId, '--resource-group', 'rg-dev-data', '--cloud', fake.cloudFile],
      hostingEnv(fake),
    );
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { resources: Array<{ name: string }> }).resources.map((r) => r.name)).toContain('kv-contoso-dev');
  });

  it('a missing flag or an Azure failure exits 1 with one line on stderr', async () => {
    const missing = await run(['group', 'list', '--cloud', fake.cloudFile], hostingEnv(fake));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("required option '--subscription <value>' not specified");
    const unknown = await run(['group', 'list', '--subscription', 'Nope', '--cloud', fake.cloudFile], hostingEnv(fake));
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/^error: Subscription 'Nope' was not found/);
  });
});
