/**
 * The on-behalf-of settings: which app registration exchanges callers' tokens (`AzureAd:ClientId` in
 * `AzureAd:TenantId` at `AzureAd:Instance`) and how it proves who it is
 * (`AzureAd:ClientCredentials:0:SourceType`, the Microsoft.Identity.Web credential description shape).
 * Validated once at start-up: a missing or incomplete setting is a ConfigurationError naming the key,
 * never a failure on the first tool call.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ConfigurationError } from '../errors/azmcp-error.js';
import type { CloudConfig } from './cloud.js';
import type { Settings } from './settings.js';

export const CLIENT_CREDENTIAL_SOURCE_TYPES = [
  'ClientSecret',
  'Certificate',
  'SignedAssertionFromManagedIdentity',
  'SignedAssertionFilePath',
] as const;
export type ClientCredentialSourceType = (typeof CLIENT_CREDENTIAL_SOURCE_TYPES)[number];

export type ClientCredentialSource =
  | { sourceType: 'ClientSecret'; clientSecret: string }
  | { sourceType: 'Certificate'; certificateDiskPath: string; certificatePassword?: string }
  | {
      sourceType: 'SignedAssertionFromManagedIdentity';
      /** Absent: the system-assigned managed identity. */
      managedIdentityClientId?: string;
      /** Audience of the managed identity token used as the client assertion. */
      tokenExchangeUrl: string;
    }
  | { sourceType: 'SignedAssertionFilePath'; signedAssertionFileDiskPath: string };

export interface OnBehalfOfSettings {
  /** `AzureAd:Instance` with a trailing slash, or the cloud's authority host when unset. */
  instance: string;
  /** `AzureAd:TenantId`; may be `common`/`organizations` for multi-tenant apps. */
  tenantId: string;
  clientId: string;
  credential: ClientCredentialSource;
}

const PREFIX = 'AzureAd:ClientCredentials:0';

/** Token exchange audience per named cloud (what Entra federated credentials expect by default). */
const TOKEN_EXCHANGE_AUDIENCES: Readonly<Record<string, string>> = {
  AzureCloud: 'api://AzureADTokenExchange',
  AzureUSGovernment: 'api://AzureADTokenExchangeUSGov',
  AzureChinaCloud: 'api://AzureADTokenExchangeChina',
};

export function readOnBehalfOfSettings(settings: Settings, cloud: CloudConfig, env: NodeJS.ProcessEnv): OnBehalfOfSettings {
  const clientId = required(settings, 'AzureAd:ClientId', "the server's app registration (application) id");
  const tenantId = required(settings, 'AzureAd:TenantId', "the server's app registration tenant id");
  const instance = withSlash(settings.get('AzureAd:Instance') ?? cloud.authorityHost);
  if (!URL.canParse(instance)) {
    throw new ConfigurationError(`AzureAd:Instance (AzureAd__Instance) is not a URL: '${instance}'.`);
  }
  return { instance, tenantId, clientId, credential: readClientCredential(settings, cloud, env) };
}

export function readClientCredential(settings: Settings, cloud: CloudConfig, env: NodeJS.ProcessEnv): ClientCredentialSource {
  const raw = settings.get(`${PREFIX}:SourceType`);
  if (!raw) {
    throw new ConfigurationError(
      `${PREFIX}:SourceType (${envName(`${PREFIX}:SourceType`)}) is required for --outgoing-auth-strategy UseOnBehalfOf: set it to one of ${CLIENT_CREDENTIAL_SOURCE_TYPES.join(', ')}.`,
    );
  }
  const sourceType = CLIENT_CREDENTIAL_SOURCE_TYPES.find((t) => t.toLowerCase() === raw.toLowerCase());
  if (!sourceType) {
    throw new ConfigurationError(
      `${PREFIX}:SourceType '${raw}' is not supported; use one of ${CLIENT_CREDENTIAL_SOURCE_TYPES.join(', ')}.`,
    );
  }
  switch (sourceType) {
    case 'ClientSecret':
      return { sourceType, clientSecret: required(settings, `${PREFIX}:ClientSecret`, 'the client secret value (not its id)') };
    case 'Certificate': {
      const certificateDiskPath = required(settings, `${PREFIX}:CertificateDiskPath`, 'a PEM file with the private key and the certificate');
      mustBeReadable(`${PREFIX}:CertificateDiskPath`, certificateDiskPath);
      const certificatePassword = settings.get(`${PREFIX}:CertificatePassword`);
      return certificatePassword ? { sourceType, certificateDiskPath, certificatePassword } : { sourceType, certificateDiskPath };
    }
    case 'SignedAssertionFromManagedIdentity': {
      const managedIdentityClientId = settings.get(`${PREFIX}:ManagedIdentityClientId`);
      const tokenExchangeUrl =
        settings.get(`${PREFIX}:TokenExchangeUrl`) ?? TOKEN_EXCHANGE_AUDIENCES[cloud.name] ?? TOKEN_EXCHANGE_AUDIENCES.AzureCloud!;
      return managedIdentityClientId ? { sourceType, managedIdentityClientId, tokenExchangeUrl } : { sourceType, tokenExchangeUrl };
    }
    case 'SignedAssertionFilePath': {
      const key = `${PREFIX}:SignedAssertionFileDiskPath`;
      const signedAssertionFileDiskPath = settings.get(key) ?? env.AZURE_FEDERATED_TOKEN_FILE?.trim();
      if (!signedAssertionFileDiskPath) {
        throw new ConfigurationError(
          `${key} (${envName(key)}) is required for SourceType SignedAssertionFilePath when AZURE_FEDERATED_TOKEN_FILE is not set: the path of the projected service account token.`,
        );
      }
      mustBeReadable(settings.get(key) ? key : 'AZURE_FEDERATED_TOKEN_FILE', signedAssertionFileDiskPath);
      return { sourceType, signedAssertionFileDiskPath };
    }
  }
}

function required(settings: Settings, key: string, what: string): string {
  const value = settings.get(key);
  if (!value) {
    throw new ConfigurationError(`${key} (${envName(key)}) is required for --outgoing-auth-strategy UseOnBehalfOf: ${what}.`);
  }
  return value;
}

function mustBeReadable(key: string, path: string): void {
  let ok = existsSync(path);
  if (ok) {
    try {
      readFileSync(path);
    } catch {
      ok = false;
    }
  }
  if (!ok) throw new ConfigurationError(`${key}: cannot read '${path}'.`);
}

const envName = (key: string) => key.split(':').join('__');
const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);
