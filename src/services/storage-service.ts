/** Storage accounts of a subscription; one account is found by name across its resource groups. */
import type { RequestContext } from '../context/request-context.js';
import { AzmcpError } from '../errors/azmcp-error.js';
import { BaseAzureService, collect, type ServiceDeps, type TenantResolver } from './base-service.js';
import type { SubscriptionService } from './subscription-service.js';

export interface StorageAccountInfo {
  id?: string;
  name?: string;
  resourceGroup?: string;
  location?: string;
  kind?: string;
  skuName?: string;
  accessTier?: string;
  provisioningState?: string;
  creationTime?: string;
  primaryEndpoints?: Record<string, string | undefined>;
  isHnsEnabled?: boolean;
  allowBlobPublicAccess?: boolean;
  minimumTlsVersion?: string;
}

export class StorageService extends BaseAzureService {
  constructor(deps: ServiceDeps, tenants: TenantResolver, private readonly subscriptions: SubscriptionService) {
    super(deps, tenants);
  }

  async listAccounts(ctx: RequestContext, subscription: string, tenant?: string): Promise<StorageAccountInfo[]> {
    const subscriptionId = await this.subscriptions.resolveSubscriptionId(ctx, subscription, tenant);
    return this.run(`listing storage accounts of subscription ${subscriptionId}`, async () => {
      const { StorageManagementClient } = await import('@azure/arm-storage');
      const client = new StorageManagementClient(await this.credential(ctx, tenant), subscriptionId, this.armOptions);
      const accounts = await collect(client.storageAccounts.list({ abortSignal: ctx.signal }));
      return accounts.map(toInfo);
    });
  }

  async getAccount(ctx: RequestContext, subscription: string, account: string, tenant?: string): Promise<StorageAccountInfo> {
    const accounts = await this.listAccounts(ctx, subscription, tenant);
    const match = accounts.find((a) => a.name?.toLowerCase() === account.toLowerCase());
    if (match) return match;
    throw new AzmcpError('AZMCP_NOT_FOUND', `Storage account '${account}' was not found in subscription '${subscription}'.`, {
      nextStep: `Check the name; storage_account_get without an account lists the ${accounts.length} account(s) there.`,
    });
  }
}

function toInfo(a: import('@azure/arm-storage').StorageAccount): StorageAccountInfo {
  return {
    id: a.id,
    name: a.name,
    resourceGroup: a.id ? /\/resourceGroups\/([^/]+)/i.exec(a.id)?.[1] : undefined,
    location: a.location,
    kind: a.kind,
    skuName: a.sku?.name,
    accessTier: a.accessTier,
    provisioningState: a.provisioningState,
    creationTime: a.creationTime?.toISOString(),
    primaryEndpoints: a.primaryEndpoints ? { ...a.primaryEndpoints } as Record<string, string | undefined> : undefined,
    isHnsEnabled: a.isHnsEnabled,
    allowBlobPublicAccess: a.allowBlobPublicAccess,
    minimumTlsVersion: a.minimumTlsVersion,
  };
}
