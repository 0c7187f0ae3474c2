import { describe, expect, it } from 'vitest';
import { NAMED_CLOUDS } from '../../src/config/cloud.js';
import { v1IssuerHost } from '../../src/host/token-validator.js';

describe('v1 token issuer per cloud', () => {
  it('is the cloud STS: sts.chinacloudapi.cn for China, sts.windows.net for the public and US Government clouds', () => {
    expect(v1IssuerHost(NAMED_CLOUDS.AzureChinaCloud!.authorityHost)).toBe('https://sts.chinacloudapi.cn/');
    expect(v1IssuerHost(NAMED_CLOUDS.AzureCloud!.authorityHost)).toBe('https://sts.windows.net/');
    expect(v1IssuerHost(NAMED_CLOUDS.AzureUSGovernment!.authorityHost)).toBe('https://sts.windows.net/');
  });
});
