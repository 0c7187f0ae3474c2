/**
 * Configuration keys in the C# server's shape (`AzureAd:ClientId`), read from the environment with `__`
 * as the separator (`AzureAd__ClientId`) and, optionally, an appsettings-style JSON file (`--config`).
 * The environment wins over the file, as in .NET. Keys are case-insensitive.
 */
import { readFileSync } from 'node:fs';
import { OptionError } from '../errors/azmcp-error.js';

export interface Settings {
  /** A value by key, `:`-separated (`AzureAd:ClientCredentials:0:SourceType`); undefined when unset or empty. */
  get(key: string): string | undefined;
}

export function loadSettings(env: NodeJS.ProcessEnv, configFile?: string): Settings {
  const values = new Map<string, string>();
  if (configFile) flatten(readJson(configFile), '', values);
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && name.includes('__')) values.set(name.split('__').join(':').toLowerCase(), value);
  }
  return {
    get(key) {
      const value = values.get(key.toLowerCase());
      return value === undefined || value.trim() === '' ? undefined : value.trim();
    },
  };
}

/** Settings from a plain record of `:`-separated keys, for tests and embedding. */
export function settingsFrom(record: Record<string, string | undefined>): Settings {
  return loadSettings(Object.fromEntries(Object.entries(record).map(([k, v]) => [k.split(':').join('__'), v])));
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new OptionError(`--config: cannot read '${path}'.`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new OptionError(`--config: '${path}' is not valid JSON (${(error as Error).message}).`);
  }
}

function flatten(value: unknown, prefix: string, into: Map<string, string>): void {
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      flatten(inner, prefix ? `${prefix}:${key}` : key, into);
    }
  } else if (value !== undefined && value !== null && prefix) {
    into.set(prefix.toLowerCase(), String(value));
  }
}
