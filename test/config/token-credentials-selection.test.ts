import { describe, expect, it } from 'vitest';
import { selectHostingCredentials } from '../../src/credentials/token-credentials-selection.js';

describe('AZURE_TOKEN_CREDENTIALS', () => {
  it('tries the whole chain when unset', () => {
    expect(selectHostingCredentials(undefined)).toEqual([
      'EnvironmentCredential',
      'WorkloadIdentityCredential',
      'ManagedIdentityCredential',
      'AzureCliCredential',
      'AzureDeveloperCliCredential',
      'VisualStudioCodeCredential',
    ]);
  });
  it('narrows to deployed or developer credentials', () => {
    expect(selectHostingCredentials('prod')).toEqual(['EnvironmentCredential', 'WorkloadIdentityCredential', 'ManagedIdentityCredential']);
    expect(selectHostingCredentials('DEV')).toEqual(['AzureCliCredential', 'AzureDeveloperCliCredential', 'VisualStudioCodeCredential']);
  });
  it('accepts one credential by name, case-insensitively', () => {
    expect(selectHostingCredentials('managedidentitycredential')).toEqual(['ManagedIdentityCredential']);
  });
  it('refuses anything else, listing what is valid', () => {
    expect(() => selectHostingCredentials('cli')).toThrow(/AZURE_TOKEN_CREDENTIALS='cli' is not valid: use dev, prod, or one of EnvironmentCredential/);
  });
});
