/**
 * `--outgoing-auth-strategy` and `--app-only-caller-strategy` as a hosting platform meets them: which
 * combinations start, what the refused ones print, and whom Azure sees for each kind of caller.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startFakeAzure, type FakeAzure } from '../fakes/index.js';
import { runServerStartToExit } from '../support/http-server.js';
import { AZMCP_BIN } from '../support/paths.js';
import { connectAs, oboEnv, refusedConnections, resultText, startOboServer, subscriptionNames } from '../support/obo-server.js';

const ALL_CONTOSO = ['Contoso Dev', 'Contoso Prod', 'Contoso Sandbox', 'Contoso Shared Services', 'Contoso Test'];
const ALICE = ['Contoso Dev', 'Contoso Sandbox', 'Contoso Test'];

let fake: FakeAzure;
beforeAll(async () => {
  fake = await startFakeAzure();
});
afterAll(() => fake?.close());
beforeEach(() => fake.state.reset());

describe('strategy matrix at start-up', () => {
  const refused: Array<[string, string[], Record<string, string | undefined>, RegExp]> = [
    ['UseOnBehalfOf over stdio', ['--outgoing-auth-strategy', 'UseOnBehalfOf'], {}, /UseOnBehalfOf needs --transport http with incoming authentication/],
    [
      'UseOnBehalfOf without incoming auth',
      ['--transport', 'http', '--port', '0', '--outgoing-auth-strategy', 'UseOnBehalfOf', '--dangerously-disable-http-incoming-auth'],
      {},
      /UseOnBehalfOf needs incoming authentication: remove --dangerously-disable-http-incoming-auth/,
    ],
    [
      'NotSet over authenticated http without a client credential',
      ['--transport', 'http', '--port', '0'],
      { AzureAd__ClientCredentials__0__SourceType: undefined },
      /AzureAd:ClientCredentials:0:SourceType \(AzureAd__ClientCredentials__0__SourceType\) is required for --outgoing-auth-strategy UseOnBehalfOf/,
    ],
    [
      'a ClientSecret source without the secret',
      ['--transport', 'http', '--port', '0'],
      { AzureAd__ClientCredentials__0__ClientSecret: undefined },
      /AzureAd:ClientCredentials:0:ClientSecret \(AzureAd__ClientCredentials__0__ClientSecret\) is required/,
    ],
    [
      'a Certificate source whose PEM has no private key',
      ['--transport', 'http', '--port', '0'],
      { AzureAd__ClientCredentials__0__SourceType: 'Certificate', AzureAd__ClientCredentials__0__CertificateDiskPath: 'CERT_ONLY' },
      /CertificateDiskPath: '.*' must be a PEM file with both the private key and the certificate/,
    ],
    ['--app-only-caller-strategy over stdio', ['--app-only-caller-strategy', 'UseHostingEnvironmentIdentity'], {}, /--app-only-caller-strategy applies only to --outgoing-auth-strategy UseOnBehalfOf/],
    ['an unknown --app-only-caller-strategy', ['--transport', 'http', '--port', '0', '--app-only-caller-strategy', 'Allow'], {}, /'Allow' is not valid; use one of: Reject, UseHostingEnvironmentIdentity/],
  ];

  it.each(refused)('%s: exits 1 with one line naming the fix, before listening', async (_name, args, extra, message) => {
    const env = oboEnv(fake, undefined, {
      ...extra,
      ...(extra.AzureAd__ClientCredentials__0__CertificateDiskPath === 'CERT_ONLY' ? { AzureAd__ClientCredentials__0__CertificateDiskPath: fake.serverAppCertificate.certPemPath } : {}),
    });
    const { code, stderr } = await runServerStartToExit(['--cloud', fake.cloudFile, ...args], env);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toContain('serving MCP');
    expect(fake.state.tokenRequests()).toHaveLength(0);
  });

  it('--help documents both strategies', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [AZMCP_BIN, 'server', 'start', '--help']);
    expect(stdout).toContain('--outgoing-auth-strategy <strategy>');
    expect(stdout).toMatch(/--app-only-caller-strategy <strategy>\s+UseOnBehalfOf only: Reject, UseHostingEnvironmentIdentity/);
  });

  it('NotSet over http without incoming auth is the hosting identity', async () => {
    const server = await startOboServer(fake, { args: ['--dangerously-disable-http-incoming-auth'] });
    try {
      const client = new Client({ name: 'anonymous', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
      const whoami = (await client.callTool({ name: 'identity_whoami', arguments: {} })) as CallToolResult;
      expect(whoami.structuredContent).toMatchObject({
        strategy: 'UseHostingEnvironmentIdentity',
        actingAs: 'hosting-identity',
        principal: { objectId: fake.principals.hostApp.oid, type: 'servicePrincipal' },
      });
      await client.close();
    } finally {
      await server.stop();
    }
  });
});

describe('UseHostingEnvironmentIdentity over authenticated http', () => {
  it('every caller reaches ARM as the host, and no token is exchanged', async () => {
    const server = await startOboServer(fake, { args: ['--outgoing-auth-strategy', 'UseHostingEnvironmentIdentity'] });
    try {
      const alice = await connectAs(server, fake, fake.principals.alice);
      const result = await alice.call('subscription_list');
      expect(subscriptionNames(result)).toEqual(ALL_CONTOSO);
      expect(new Set(fake.state.requests({ service: 'arm' }).map((r) => r.principal?.oid))).toEqual(new Set([fake.principals.hostApp.oid]));
      expect((await alice.call('identity_whoami')).structuredContent).toMatchObject({ actingAs: 'hosting-identity', principal: { objectId: fake.principals.hostApp.oid } });
      expect(fake.state.tokenRequests({ grantType: 'obo' })).toHaveLength(0);
      for (const record of fake.state.requests({ service: 'arm' })) expect(record.authorization).not.toContain(alice.token);
      await alice.close();
      expect(refusedConnections(server)).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});

describe('--app-only-caller-strategy UseHostingEnvironmentIdentity', () => {
  it('serves app-only callers as the host while users still act as themselves', async () => {
    const server = await startOboServer(fake, { args: ['--app-only-caller-strategy', 'UseHostingEnvironmentIdentity'] });
    try {
      const [app, alice] = await Promise.all([
        connectAs(server, fake, { ...fake.principals.appCaller, appId: fake.clients.appCaller.clientId }),
        connectAs(server, fake, fake.principals.alice),
      ]);
      const [appResult, aliceResult] = await Promise.all([app.call('subscription_list'), alice.call('subscription_list')]);
      expect(appResult.isError, resultText(appResult)).toBeFalsy();
      expect(subscriptionNames(appResult)).toEqual(ALL_CONTOSO);
      expect(subscriptionNames(aliceResult)).toEqual(ALICE);

      const armPrincipals = new Set(fake.state.requests({ service: 'arm' }).map((r) => r.principal?.oid));
      expect(armPrincipals).toEqual(new Set([fake.principals.hostApp.oid, fake.principals.alice.oid]));
      expect(fake.state.tokenRequests({ grantType: 'obo' }).map((r) => r.assertionOid)).toEqual([fake.principals.alice.oid]);

      const appWhoami = await app.call('identity_whoami');
      expect(appWhoami.structuredContent).toMatchObject({ strategy: 'UseOnBehalfOf', actingAs: 'hosting-identity', principal: { objectId: fake.principals.hostApp.oid } });
      expect((await alice.call('identity_whoami')).structuredContent).toMatchObject({ actingAs: 'caller', principal: { objectId: fake.principals.alice.oid } });

      // The tenant guard still holds for app-only callers.
      const other = await app.call('subscription_list', { tenant: fake.tenant2Id });
      expect(resultText(other)).toMatch(/^AZMCP_TENANT_MISMATCH/);
      await Promise.all([app.close(), alice.close()]);
    } finally {
      await server.stop();
    }
  });
});
