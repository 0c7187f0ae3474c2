/**
 * Fake App Service managed identity endpoint (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, api-version 2019-08-01):
 * `GET {endpoint}?api-version=2019-08-01&resource=R[&client_id|principal_id|object_id|mi_res_id=...]`
 * with header `X-IDENTITY-HEADER`. System-assigned: `state.managedIdentity`; user-assigned: any principal with a
 * `resourceId` matched by one of the id parameters.
 */
import { nowSeconds, type FakeContext } from './context.js';
import { injectedReply, json, newRequestId, type FakeReply, type FakeRequest } from './http.js';
import { appClaims, signClaims } from './mint.js';
import type { FakePrincipal } from './types.js';

export const MI_PATH = '/msi/token';

function miError(status: number, message: string): FakeReply {
  return json(status, { statusCode: status, message, correlationId: newRequestId() }, {}, { error: message });
}

export function managedIdentityHandler(ctx: FakeContext, systemAssigned: () => FakePrincipal | undefined): (req: FakeRequest) => Promise<FakeReply> {
  return async (req) => {
    const { state } = ctx;
    const q = req.url.searchParams;
    const resource = q.get('resource') ?? undefined;
    const base = { scope: resource, resource: resource?.replace(/\/+$/, '') };

    const failure = state.takeFailure('mi', req.path);
    if (failure) return { ...injectedReply(failure, (status) => ({ statusCode: status, message: `Injected status ${status}.` })), record: { ...base, injected: true } };

    if (req.path.replace(/\/+$/, '').toLowerCase() !== MI_PATH || req.method !== 'GET') return { ...miError(404, 'Not found.'), record: base };
    if (req.headers['x-identity-header'] !== ctx.miHeader) {
      return { ...miError(401, 'The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.'), record: base };
    }
    if (!q.get('api-version')) return { ...miError(400, "Required query variable 'api-version' is missing"), record: base };
    if (!resource) return { ...miError(400, "Required query variable 'resource' is missing"), record: base };

    const idParams = ['client_id', 'principal_id', 'object_id', 'mi_res_id'] as const;
    const requested = idParams.map((k) => [k, q.get(k)] as const).find(([, v]) => v);
    let identity: FakePrincipal | undefined;
    if (requested) {
      const [kind, value] = requested;
      const v = (value ?? '').toLowerCase();
      identity = [...state.principals.values()].find(
        (p) =>
          p.kind === 'app' &&
          p.resourceId !== undefined &&
          (kind === 'client_id' ? p.appId?.toLowerCase() === v : kind === 'mi_res_id' ? p.resourceId.toLowerCase() === v : p.oid.toLowerCase() === v),
      );
    } else {
      identity = systemAssigned();
    }
    if (!identity?.appId) return { ...miError(400, 'Unable to load the proper Managed Identity.'), record: base };
    if (!state.isKnownResource(resource)) {
      return {
        ...miError(400, `AADSTS500011: The resource principal named ${resource} was not found in the tenant named ${identity.tid}.`),
        record: { ...base, clientId: identity.appId },
      };
    }

    const lifetime = Math.max(state.tokenLifetimeSeconds, 300);
    const claims: Record<string, unknown> = {
      ...appClaims(ctx, { oid: identity.oid, appId: identity.appId, azpacr: '2' }, { aud: resource, tid: identity.tid, lifetimeSeconds: lifetime }),
      xms_mirid: identity.resourceId,
    };
    const token = await signClaims(ctx, claims);
    const exp = typeof claims.exp === 'number' ? claims.exp : nowSeconds() + lifetime;
    return {
      ...json(200, { access_token: token, expires_on: String(exp), resource, token_type: 'Bearer', client_id: identity.appId }),
      record: { ...base, clientId: identity.appId, principal: { oid: identity.oid, tid: identity.tid, kind: 'app', appId: identity.appId } },
    };
  };
}
