/** Fake Microsoft Graph: `/v1.0/me` and `/v1.0/servicePrincipals(appId='...')` behind Graph-style bearer auth. */
import { isAppToken, isIssuerValid, principalOf, type FakeContext } from './context.js';
import { bearerToken, injectedReply, json, newRequestId, type FakeReply, type FakeRequest } from './http.js';
import type { RequestRecord } from './types.js';

function graphError(status: number, code: string, message: string, requestId: string, headers: Record<string, string> = {}): FakeReply {
  return json(
    status,
    { error: { code, message, innerError: { date: new Date().toISOString().replace(/\.\d+Z$/, ''), 'request-id': requestId, 'client-request-id': requestId } } },
    headers,
    { error: code },
  );
}

const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

export function graphHandler(ctx: FakeContext): (req: FakeRequest) => Promise<FakeReply> {
  return async (req) => {
    const requestId = newRequestId();
    const { state } = ctx;
    const challenge = {
      'WWW-Authenticate': `Bearer realm="", authorization_uri="${ctx.urls.entra}/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`,
    };
    const token = bearerToken(req.headers);
    const result = token
      ? await ctx.keys.verify(token, { isIssuerValid: (iss) => isIssuerValid(ctx, iss), audiences: [state.graphAudience, GRAPH_APP_ID] })
      : undefined;
    const principal: RequestRecord['principal'] = result?.ok ? principalOf(result.claims) : undefined;
    const done = (reply: FakeReply): FakeReply => ({
      ...reply,
      headers: { 'request-id': requestId, 'client-request-id': requestId, ...reply.headers },
      record: { ...(principal ? { principal } : {}), ...reply.record },
    });

    const failure = state.takeFailure('graph', req.path);
    if (failure) return done(injectedReply(failure, (status) => ({ error: { code: status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', message: `Injected status ${status}.` } })));
    if (!result) return done(graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.', requestId, challenge));
    if (!result.ok) {
      const messages: Record<string, string> = {
        expired: 'Lifetime validation failed, the token is expired.',
        not_yet_valid: 'Lifetime validation failed, the token is not yet valid.',
        bad_audience: 'Access token validation failure. Invalid audience.',
        bad_issuer: 'Access token validation failure. Invalid issuer.',
        malformed: 'IDX14100: JWT is not well formed.',
      };
      return done(graphError(401, 'InvalidAuthenticationToken', messages[result.reason] ?? 'Signature validation failed.', requestId, challenge));
    }
    const claims = result.claims;
    const path = req.path.replace(/\/+$/, '');

    if (/^\/v1\.0\/me$/i.test(path) && req.method === 'GET') {
      if (isAppToken(claims)) return done(graphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.', requestId));
      const user = state.findPrincipal(claims.oid);
      if (!user) {
        return done(graphError(404, 'Request_ResourceNotFound', `Resource '${String(claims.oid)}' does not exist or one of its queried reference-property objects are not present.`, requestId));
      }
      const [givenName, ...rest] = (user.name ?? '').split(' ');
      return done(
        json(200, {
          '@odata.context': `${ctx.urls.graph}/v1.0/$metadata#users/$entity`,
          businessPhones: [],
          displayName: user.name ?? null,
          givenName: givenName || null,
          jobTitle: null,
          mail: user.mail ?? user.upn ?? null,
          mobilePhone: null,
          officeLocation: null,
          preferredLanguage: 'en-US',
          surname: rest.join(' ') || null,
          userPrincipalName: user.upn ?? null,
          id: user.oid,
        }),
      );
    }

    const sp = /^\/v1\.0\/servicePrincipals\(appId='([^']+)'\)$/i.exec(path);
    if (sp?.[1] && req.method === 'GET') {
      const appId = sp[1];
      const client = state.findClient(appId);
      const mi = [...state.principals.values()].find((p) => p.kind === 'app' && p.appId?.toLowerCase() === appId.toLowerCase());
      const found = client ? { id: client.oid, appId: client.clientId, displayName: client.displayName ?? null, appOwnerOrganizationId: client.tenantId, servicePrincipalType: 'Application' }
        : mi ? { id: mi.oid, appId: mi.appId, displayName: mi.name ?? null, appOwnerOrganizationId: mi.tid, servicePrincipalType: mi.resourceId ? 'ManagedIdentity' : 'Application' }
        : undefined;
      if (!found) return done(graphError(404, 'Request_ResourceNotFound', `Resource 'servicePrincipals(appId='${appId}')' does not exist or one of its queried reference-property objects are not present.`, requestId));
      return done(json(200, { '@odata.context': `${ctx.urls.graph}/v1.0/$metadata#servicePrincipals/$entity`, accountEnabled: true, ...found }));
    }

    return done(graphError(400, 'BadRequest', `Resource not found for the segment '${path.split('/').pop() ?? ''}'.`, requestId));
  };
}
