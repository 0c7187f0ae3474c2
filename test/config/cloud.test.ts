import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultScope, resolveCloud } from '../../src/config/cloud.js';

const dir = mkdtempSync(join(tmpdir(), 'azmcp-cloud-'));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

describe('--cloud', () => {
  it('prefers --cloud, then AZURE_CLOUD, then AzureCloud; named clouds keep instance discovery', () => {
    expect(resolveCloud(undefined, {}).authorityHost).toBe('https://login.microsoftonline.com/');
    expect(resolveCloud(undefined, { AZURE_CLOUD: 'AzureUSGovernment' }).resourceManagerEndpoint).toBe('https://management.usgovcloudapi.net/');
    const china = resolveCloud('azurechinacloud', { AZURE_CLOUD: 'AzureUSGovernment' });
    expect(china).toMatchObject({ name: 'AzureChinaCloud', custom: false });
  });

  it('reads a cloud JSON file, normalises slashes and disables instance discovery', () => {
    const cloud = resolveCloud(
      file('stack.json', {
        name: 'AzureStack',
        authorityHost: 'https://login.stack.local',
        resourceManagerEndpoint: 'https://management.stack.local',
        resourceManagerAudience: 'https://management.stack.local/',
        microsoftGraphEndpoint: 'https://graph.stack.local',
        microsoftGraphAudience: 'https://graph.stack.local',
      }),
      {},
    );
    expect(cloud).toMatchObject({ name: 'AzureStack', custom: true, authorityHost: 'https://login.stack.local/', resourceManagerAudience: 'https://management.stack.local' });
    expect(defaultScope(cloud.resourceManagerAudience)).toBe('https://management.stack.local/.default');
  });

  it('explains what is wrong with a bad value', () => {
    expect(() => resolveCloud('Mars', {})).toThrow("--cloud: 'Mars' is neither a cloud name (AzureCloud, AzureChinaCloud, AzureUSGovernment) nor a readable cloud JSON file.");
    expect(() => resolveCloud(file('bad.json', '{nope'), {})).toThrow(/is not valid JSON/);
    expect(() => resolveCloud(file('partial.json', { name: 'x', authorityHost: 'https://a' }), {})).toThrow(
      /is missing resourceManagerEndpoint, resourceManagerAudience, microsoftGraphEndpoint, microsoftGraphAudience/,
    );
    expect(() =>
      resolveCloud(
        file('noturl.json', { name: 'x', authorityHost: 'nope', resourceManagerEndpoint: 'https://a', resourceManagerAudience: 'a', microsoftGraphEndpoint: 'https://g', microsoftGraphAudience: 'g' }),
        {},
      ),
    ).toThrow(/field authorityHost is not a URL/);
  });
});
