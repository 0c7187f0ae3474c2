/** The services tools use, built once per process around the single credential provider. */
import type { CloudConfig } from '../config/cloud.js';
import type { AzureTokenCredentialProvider } from '../credentials/provider.js';
import { IdentityCache } from './identity-cache.js';
import { IdentityService } from './identity-service.js';
import { ResourceGroupService } from './resource-group-service.js';
import { StorageService } from './storage-service.js';
import { SubscriptionService } from './subscription-service.js';
import { TenantService } from './tenant-service.js';

export interface Services {
  tenants: TenantService;
  subscriptions: SubscriptionService;
  resourceGroups: ResourceGroupService;
  storage: StorageService;
  identity: IdentityService;
}

const LOOKUP_TTL_MS = 5 * 60_000;

export function createServices(credentials: AzureTokenCredentialProvider, cloud: CloudConfig): Services {
  const deps = { credentials, cloud, cache: new IdentityCache(LOOKUP_TTL_MS) };
  const tenants = new TenantService(deps);
  const subscriptions = new SubscriptionService(deps, tenants);
  return {
    tenants,
    subscriptions,
    resourceGroups: new ResourceGroupService(deps, tenants, subscriptions),
    storage: new StorageService(deps, tenants, subscriptions),
    identity: new IdentityService(deps, tenants),
  };
}
