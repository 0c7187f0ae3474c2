/**
 * What every Azure-calling service shares: credentials only through the provider, tenant names
 * resolved by a TenantResolver (an interface, so the tenant service does not inherit from this class
 * and there is no cycle), ARM client options for the selected cloud, and error mapping.
 */
import type { TokenCredential } from '@azure/core-auth';
import { defaultScope, type CloudConfig } from '../config/cloud.js';
import type { RequestContext } from '../context/request-context.js';
import type { AzureTokenCredentialProvider } from '../credentials/provider.js';
import type { IdentityCache } from './identity-cache.js';
import { toAzureError } from './azure-error.js';

export interface TenantResolver {
  /** A tenant id for an id, display name or domain; throws a not-found error listing what exists. */
  resolveTenantId(ctx: RequestContext, tenant: string): Promise<string>;
}

export interface ServiceDeps {
  credentials: AzureTokenCredentialProvider;
  cloud: CloudConfig;
  cache: IdentityCache;
}

export interface ArmClientOptions {
  endpoint: string;
  credentialScopes: string[];
  userAgentOptions: { userAgentPrefix: string };
  retryOptions: { maxRetries: number };
}

export function armClientOptions(cloud: CloudConfig): ArmClientOptions {
  return {
    endpoint: cloud.resourceManagerEndpoint.replace(/\/$/, ''),
    credentialScopes: [defaultScope(cloud.resourceManagerAudience)],
    userAgentOptions: { userAgentPrefix: 'azmcp' },
    retryOptions: { maxRetries: 4 },
  };
}

export abstract class BaseAzureService {
  constructor(
    protected readonly deps: ServiceDeps,
    protected readonly tenants: TenantResolver,
  ) {}

  protected async credential(ctx: RequestContext, tenant?: string): Promise<TokenCredential> {
    const tenantId = tenant ? await this.tenants.resolveTenantId(ctx, tenant) : undefined;
    return this.deps.credentials.getCredential(ctx, tenantId);
  }

  protected get armOptions(): ArmClientOptions {
    return armClientOptions(this.deps.cloud);
  }

  /** Runs an Azure operation; any failure becomes an AzmcpError describing `what` was being done. */
  protected async run<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw toAzureError(error, what);
    }
  }
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGuid = (value: string) => GUID.test(value);
