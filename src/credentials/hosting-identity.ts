/**
 * UseHostingEnvironmentIdentity: the server acts as itself — environment service principal, workload
 * identity, managed identity, or the developer's Azure CLI / azd / VS Code sign-in — through a chain of
 * @azure/identity credentials. One chain for the process, created on first use and reused so its token
 * cache is shared by every request; another tenant is asked for per token request (`getToken`'s
 * `tenantId`), because credentials such as EnvironmentCredential take their tenant from the environment
 * and ignore a constructor option. @azure/identity is imported lazily: stdio start-up never pays for it.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { CloudConfig } from '../config/cloud.js';
import type { RequestContext } from '../context/request-context.js';
import type { AzureTokenCredentialProvider } from './provider.js';
import type { HostingCredentialName } from './token-credentials-selection.js';

export interface HostingIdentityOptions {
  cloud: CloudConfig;
  credentials: readonly HostingCredentialName[];
}

export class HostingIdentityCredentialProvider implements AzureTokenCredentialProvider {
  readonly strategy = 'UseHostingEnvironmentIdentity' as const;
  private chain?: Promise<TokenCredential>;

  constructor(private readonly options: HostingIdentityOptions) {}

  async getCredential(_ctx: RequestContext, tenantId?: string): Promise<TokenCredential> {
    // Assigned before it resolves, so concurrent first calls share one chain.
    this.chain ??= buildChain(this.options);
    const chain = await this.chain;
    if (!tenantId) return chain;
    return { getToken: (scopes, options) => chain.getToken(scopes, { ...options, tenantId }) };
  }
}

async function buildChain(options: HostingIdentityOptions): Promise<TokenCredential> {
  const identity = await import('@azure/identity');
  const { cloud } = options;
  const common = {
    authorityHost: cloud.authorityHost,
    disableInstanceDiscovery: cloud.custom,
    additionallyAllowedTenants: ['*'],
  };
  const create: Record<HostingCredentialName, () => TokenCredential> = {
    EnvironmentCredential: () => new identity.EnvironmentCredential(common),
    WorkloadIdentityCredential: () => new identity.WorkloadIdentityCredential(common),
    ManagedIdentityCredential: () => {
      const clientId = process.env.AZURE_CLIENT_ID;
      return clientId ? new identity.ManagedIdentityCredential({ clientId }) : new identity.ManagedIdentityCredential();
    },
    AzureCliCredential: () => new identity.AzureCliCredential(common),
    AzureDeveloperCliCredential: () => new identity.AzureDeveloperCliCredential(common),
    VisualStudioCodeCredential: () => new identity.VisualStudioCodeCredential(common),
  };
  const members = options.credentials.map((name) => create[name]());
  return members.length === 1 ? members[0]! : new identity.ChainedTokenCredential(...members);
}
