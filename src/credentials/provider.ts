/**
 * The one seam for outgoing identity. A single provider, chosen at start-up by the resolved
 * `--outgoing-auth-strategy`, hands every Azure-calling service its credential for a request.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { RequestContext } from '../context/request-context.js';

import type { OutgoingAuthStrategy } from '../config/choices.js';

export type { AppOnlyCallerStrategy, OutgoingAuthStrategy } from '../config/choices.js';
export { APP_ONLY_CALLER_STRATEGIES } from '../config/choices.js';

export interface AzureTokenCredentialProvider {
  readonly strategy: OutgoingAuthStrategy;
  /**
   * A credential that acts for this request in `tenantId` (a tenant id, already resolved), or in the
   * default tenant when omitted. Implementations must be safe to call concurrently.
   */
  getCredential(ctx: RequestContext, tenantId?: string): Promise<TokenCredential>;
}
