/**
 * Which Azure cloud the server talks to: a named sovereign cloud, or a cloud JSON file (custom clouds,
 * Azure Stack, and the test bed). Entra instance discovery is disabled for custom clouds because their
 * authority is not in Microsoft's discovery list; it is trusted as given.
 */
import { readFileSync } from 'node:fs';
import { OptionError } from '../errors/azmcp-error.js';

export interface CloudConfig {
  name: string;
  authorityHost: string;
  resourceManagerEndpoint: string;
  resourceManagerAudience: string;
  microsoftGraphEndpoint: string;
  microsoftGraphAudience: string;
  /** True for clouds read from a file: instance discovery is disabled. */
  custom: boolean;
}

export const NAMED_CLOUDS: Readonly<Record<string, CloudConfig>> = {
  AzureCloud: {
    name: 'AzureCloud',
    authorityHost: 'https://login.microsoftonline.com/',
    resourceManagerEndpoint: 'https://management.azure.com/',
    resourceManagerAudience: 'https://management.azure.com',
    microsoftGraphEndpoint: 'https://graph.microsoft.com/',
    microsoftGraphAudience: 'https://graph.microsoft.com',
    custom: false,
  },
  AzureChinaCloud: {
    name: 'AzureChinaCloud',
    authorityHost: 'https://login.chinacloudapi.cn/',
    resourceManagerEndpoint: 'https://management.chinacloudapi.cn/',
    resourceManagerAudience: 'https://management.chinacloudapi.cn',
    microsoftGraphEndpoint: 'https://microsoftgraph.chinacloudapi.cn/',
    microsoftGraphAudience: 'https://microsoftgraph.chinacloudapi.cn',
    custom: false,
  },
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    authorityHost: 'https://login.microsoftonline.us/',
    resourceManagerEndpoint: 'https://management.usgovcloudapi.net/',
    resourceManagerAudience: 'https://management.usgovcloudapi.net',
    microsoftGraphEndpoint: 'https://graph.microsoft.us/',
    microsoftGraphAudience: 'https://graph.microsoft.us',
    custom: false,
  },
};

const CLOUD_FIELDS = [
  'name',
  'authorityHost',
  'resourceManagerEndpoint',
  'resourceManagerAudience',
  'microsoftGraphEndpoint',
  'microsoftGraphAudience',
] as const;

/** `--cloud` wins, then `AZURE_CLOUD`, then AzureCloud. A value that is not a named cloud is a file path. */
export function resolveCloud(option: string | undefined, env: NodeJS.ProcessEnv): CloudConfig {
  const value = option ?? env.AZURE_CLOUD ?? 'AzureCloud';
  const named = Object.values(NAMED_CLOUDS).find((c) => c.name.toLowerCase() === value.toLowerCase());
  if (named) return named;
  return readCloudFile(value);
}

function readCloudFile(path: string): CloudConfig {
  const valid = Object.keys(NAMED_CLOUDS).join(', ');
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    throw new OptionError(`--cloud: '${path}' is neither a cloud name (${valid}) nor a readable cloud JSON file.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new OptionError(`--cloud: '${path}' is not valid JSON (${(error as Error).message}).`);
  }
  const record = (parsed ?? {}) as Record<string, unknown>;
  const missing = CLOUD_FIELDS.filter((field) => typeof record[field] !== 'string' || record[field] === '');
  if (missing.length > 0) {
    throw new OptionError(`--cloud: '${path}' is missing ${missing.join(', ')}.`);
  }
  for (const field of CLOUD_FIELDS.filter((f) => f !== 'name')) {
    const url = record[field] as string;
    if (field.endsWith('Endpoint') || field === 'authorityHost') {
      if (!URL.canParse(url)) throw new OptionError(`--cloud: '${path}' field ${field} is not a URL: ${url}.`);
    }
  }
  return {
    name: record.name as string,
    authorityHost: withTrailingSlash(record.authorityHost as string),
    resourceManagerEndpoint: withTrailingSlash(record.resourceManagerEndpoint as string),
    resourceManagerAudience: withoutTrailingSlash(record.resourceManagerAudience as string),
    microsoftGraphEndpoint: withTrailingSlash(record.microsoftGraphEndpoint as string),
    microsoftGraphAudience: withoutTrailingSlash(record.microsoftGraphAudience as string),
    custom: true,
  };
}

const withTrailingSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);
const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');

/** The `.default` scope for an audience, e.g. `https://management.azure.com/.default`. */
export const defaultScope = (audience: string) => `${withoutTrailingSlash(audience)}/.default`;
