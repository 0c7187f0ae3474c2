/**
 * Which credentials the hosting-identity chain tries, from `AZURE_TOKEN_CREDENTIALS`
 * (the variable @azure/identity's DefaultAzureCredential honours): `dev`, `prod`, or one credential's name.
 */
import { ConfigurationError } from '../errors/azmcp-error.js';

export const HOSTING_CREDENTIALS = [
  'EnvironmentCredential',
  'WorkloadIdentityCredential',
  'ManagedIdentityCredential',
  'AzureCliCredential',
  'AzureDeveloperCliCredential',
  'VisualStudioCodeCredential',
] as const;

export type HostingCredentialName = (typeof HOSTING_CREDENTIALS)[number];

const PROD: readonly HostingCredentialName[] = ['EnvironmentCredential', 'WorkloadIdentityCredential', 'ManagedIdentityCredential'];
const DEV: readonly HostingCredentialName[] = ['AzureCliCredential', 'AzureDeveloperCliCredential', 'VisualStudioCodeCredential'];

export function selectHostingCredentials(value: string | undefined): readonly HostingCredentialName[] {
  const trimmed = value?.trim();
  if (!trimmed) return HOSTING_CREDENTIALS;
  const lower = trimmed.toLowerCase();
  if (lower === 'prod') return PROD;
  if (lower === 'dev') return DEV;
  const one = HOSTING_CREDENTIALS.find((name) => name.toLowerCase() === lower);
  if (one) return [one];
  throw new ConfigurationError(
    `AZURE_TOKEN_CREDENTIALS='${trimmed}' is not valid: use dev, prod, or one of ${HOSTING_CREDENTIALS.join(', ')}.`,
  );
}
