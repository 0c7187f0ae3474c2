/**
 * Fake Entra ID: OIDC discovery, JWKS, instance discovery, and the v2 (and v1) token endpoint with the
 * client_credentials and on-behalf-of grants; clients authenticate with a secret, a certificate-signed assertion
 * or a federated assertion issued by this fake.
 */
import { decodeProtectedHeader, errors as joseErrors, importX509, jwtVerify } from 'jose';
import { isAppToken, isIssuerValid, type FakeContext } from './context.js';
import { entraError, oboError } from './entra-errors.js';
import { injectedReply, json, type FakeReply, type FakeRequest } from './http.js';
import { appClaims, signClaims, userClaims } from './mint.js';
import { GRANT_CLIENT_CREDENTIALS, GRANT_JWT_BEARER, TOKEN_EXCHANGE_AUDIENCE } from './state.js';
import { certThumbprints } from './tls.js';
import { decodeClaims, type TokenClaims } from './tokens.js';
import type { FakeClient, FakeTenant, RequestRecord } from './types.js';

const TENANT_ALIASES = new Set(['common', 'organizations', 'consumers']);
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

type TenantRef = { kind: 'tenant'; tenant: FakeTenant; segment: string } | { kind: 'alias'; segment: string };

function resolveTenant(ctx: FakeContext, segment: string): TenantRef | undefined {
  if (TENANT_ALIASES.has(segment.toLowerCase())) return { kind: 'alias', segment: segment.toLowerCase() };
  const tenant = ctx.state.findTenant(segment);
  return tenant ? { kind: 'tenant', tenant, segment } : undefined;
}

function tenantNotFound(segment: string, correlationId?: string): FakeReply {
  return entraError({
    error: 'invalid_request',
    code: 90002,
    text: `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    correlationId,
  });
}

// ---- discovery --------------------------------------------------------------------------------------------------

function openIdConfigurationV2(ctx: FakeContext, ref: TenantRef): Record<string, unknown> {
  const e = ctx.urls.entra;
  const seg = ref.kind === 'tenant' ? ref.tenant.tenantId : ref.segment;
  const issuerTenant = ref.kind === 'tenant' ? ref.tenant.tenantId : '{tenantid}';
  return {
    token_endpoint: `${e}/${seg}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${e}/${seg}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${e}/${issuerTenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${ctx.urls.graph}/oidc/userinfo`,
    authorization_endpoint: `${e}/${seg}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${e}/${seg}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${e}/${seg}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
    kerberos_endpoint: `${e}/${seg}/kerberos`,
    tenant_region_scope: ref.kind === 'tenant' ? 'NA' : null,
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: new URL(ctx.urls.graph).host,
    rbac_url: 'https://pas.windows.net',
  };
}

/** v1 metadata (`/{tenant}/.well-known/openid-configuration`): sts.windows.net issuer, v1 endpoints. */
function openIdConfigurationV1(ctx: FakeContext, ref: TenantRef): Record<string, unknown> {
  const e = ctx.urls.entra;
  const seg = ref.kind === 'tenant' ? ref.tenant.tenantId : ref.segment;
  const issuerTenant = ref.kind === 'tenant' ? ref.tenant.tenantId : '{tenantid}';
  return {
    token_endpoint: `${e}/${seg}/oauth2/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${e}/common/discovery/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
    scopes_supported: ['openid'],
    issuer: `https://sts.windows.net/${issuerTenant}/`,
    microsoft_multi_refresh_token: true,
    authorization_endpoint: `${e}/${seg}/oauth2/authorize`,
    device_authorization_endpoint: `${e}/${seg}/oauth2/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${e}/${seg}/oauth2/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'amr', 'nonce', 'email', 'given_name', 'family_name', 'nickname'],
    check_session_iframe: `${e}/${seg}/oauth2/checksession`,
    userinfo_endpoint: `${e}/${seg}/openid/userinfo`,
    kerberos_endpoint: `${e}/${seg}/kerberos`,
    tenant_region_scope: ref.kind === 'tenant' ? 'NA' : null,
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: new URL(ctx.urls.graph).host,
    rbac_url: 'https://pas.windows.net',
  };
}

function instanceDiscovery(ctx: FakeContext, req: FakeRequest): FakeReply {
  const host = new URL(ctx.urls.entra).host;
  const authorizeUrl = req.url.searchParams.get('authorization_endpoint') ?? `${ctx.urls.entra}/common/oauth2/v2.0/authorize`;
  let tenant = 'common';
  try {
    tenant = new URL(authorizeUrl).pathname.split('/').filter(Boolean)[0] ?? 'common';
  } catch {
    // keep common
  }
  return json(200, {
    tenant_discovery_endpoint: `${ctx.urls.entra}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  });
}

// ---- client authentication ----------------------------------------------------------------------------------

type ClientAuth = { ok: true; method: NonNullable<RequestRecord['clientAuth']>; subject?: string } | { ok: false; reply: FakeReply };

function hexToBase64Url(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64url');
}

/** The token endpoint URLs of a tenant (any accepted as a certificate assertion's `aud`). */
function isTokenEndpointOf(ctx: FakeContext, aud: unknown, tenant: FakeTenant): boolean {
  if (typeof aud !== 'string' || !aud.toLowerCase().startsWith(ctx.urls.entra.toLowerCase())) return false;
  const m = /^\/([^/]+)\/oauth2\/(?:v2\.0\/)?token\/?$/i.exec(new URL(aud).pathname);
  if (!m?.[1]) return false;
  return TENANT_ALIASES.has(m[1].toLowerCase()) || ctx.state.findTenant(m[1])?.tenantId === tenant.tenantId;
}

async function verifyCertificateAssertion(
  ctx: FakeContext,
  assertion: string,
  header: Record<string, unknown>,
  client: FakeClient,
  tenant: FakeTenant,
  cid: string | undefined,
): Promise<ClientAuth> {
  const fail = (code: number, text: string): ClientAuth => ({
    ok: false,
    reply: entraError({ status: 401, error: 'invalid_client', code, text, correlationId: cid }),
  });
  const presented = String(header['x5t#S256'] ?? header.x5t ?? '');
  if (!client.certificatePem) {
    return fail(700027, `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${presented}']`);
  }
  const thumbs = certThumbprints(client.certificatePem);
  const matches = header['x5t#S256'] !== undefined ? header['x5t#S256'] === hexToBase64Url(thumbs.sha256) : header.x5t === hexToBase64Url(thumbs.sha1);
  if (!matches) {
    return fail(700027, `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${presented}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${client.clientId}'.]`);
  }
  const alg = String(header.alg);
  if (alg !== 'RS256' && alg !== 'PS256') return fail(700027, `Client assertion contains an unsupported signing algorithm '${alg}'.`);
  let claims: TokenClaims;
  try {
    const key = await importX509(client.certificatePem, alg);
    // MSAL rounds 'now' (nbf can be up to 0.5 s ahead); Entra allows 5 minutes of skew on client assertions.
    ({ payload: claims } = await jwtVerify<TokenClaims>(assertion, key, { algorithms: [alg], clockTolerance: 300 }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired || (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'nbf')) {
      return fail(700024, 'Client assertion is not within its valid time range.');
    }
    return fail(700027, 'Client assertion failed signature validation.');
  }
  if (claims.iss !== client.clientId || claims.sub !== client.clientId) {
    return fail(700021, "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .");
  }
  if (!isTokenEndpointOf(ctx, claims.aud, tenant)) {
    return fail(700016, `Client assertion audience claim '${String(claims.aud)}' does not match the token endpoint of tenant '${tenant.tenantId}'.`);
  }
  return { ok: true, method: 'certificate' };
}

async function verifyFederatedAssertion(ctx: FakeContext, assertion: string, client: FakeClient, cid: string | undefined): Promise<ClientAuth> {
  const result = await ctx.keys.verify(assertion, { isIssuerValid: (iss) => isIssuerValid(ctx, iss), audiences: [TOKEN_EXCHANGE_AUDIENCE] });
  const fail = (code: number, text: string, status = 400): ClientAuth => ({
    ok: false,
    reply: entraError({ status, error: 'invalid_client', code, text, correlationId: cid }),
  });
  const claims = result.ok ? result.claims : result.claims;
  const iss = String(claims?.iss ?? '');
  const sub = String(claims?.sub ?? '');
  const aud = String(claims?.aud ?? '');
  if (!result.ok) {
    switch (result.reason) {
      case 'expired':
      case 'not_yet_valid':
        return fail(700024, 'Client assertion is not within its valid time range.');
      case 'bad_audience':
        return fail(700212, `No matching federated identity record found for presented assertion audience '${aud}'. Please note that the matching is done using a case-sensitive comparison. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.`);
      case 'bad_issuer':
        return fail(700211, `No matching federated identity record found for presented assertion issuer '${iss}'. Please note that the matching is done using a case-sensitive comparison. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.`);
      case 'missing':
      case 'malformed':
        return fail(50027, 'JWT token is invalid or malformed.');
      default:
        return fail(700027, `Client assertion failed signature validation. [Reason - ${result.message}]`, 401);
    }
  }
  if (!(client.federatedSubjects ?? []).includes(sub)) {
    return fail(70021, `No matching federated identity record found for presented assertion. Assertion Issuer: '${iss}'. Assertion Subject: '${sub}'. Assertion Audience: '${aud}'.`);
  }
  return { ok: true, method: 'federated', subject: sub };
}

async function authenticateClient(ctx: FakeContext, params: URLSearchParams, client: FakeClient, tenant: FakeTenant, cid: string | undefined): Promise<ClientAuth> {
  const secret = params.get('client_secret');
  const assertion = params.get('client_assertion');
  if (secret !== null) {
    if (client.secret !== undefined && secret === client.secret) return { ok: true, method: 'secret' };
    return {
      ok: false,
      reply: entraError({
        status: 401,
        error: 'invalid_client',
        code: 7000215,
        text: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`,
        correlationId: cid,
      }),
    };
  }
  if (assertion !== null) {
    if (params.get('client_assertion_type') !== ASSERTION_TYPE) {
      return { ok: false, reply: entraError({ error: 'invalid_request', code: 50027, text: `Invalid client_assertion_type '${params.get('client_assertion_type') ?? ''}'.`, correlationId: cid }) };
    }
    let header: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(assertion) as Record<string, unknown>;
    } catch {
      return { ok: false, reply: entraError({ error: 'invalid_client', code: 50027, text: 'JWT token is invalid or malformed.', correlationId: cid }) };
    }
    if (header.x5t !== undefined || header['x5t#S256'] !== undefined) return verifyCertificateAssertion(ctx, assertion, header, client, tenant, cid);
    return verifyFederatedAssertion(ctx, assertion, client, cid);
  }
  return {
    ok: false,
    reply: entraError({
      status: 401,
      error: 'invalid_client',
      code: 7000218,
      text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      correlationId: cid,
    }),
  };
}

// ---- token endpoint -----------------------------------------------------------------------------------------

function scopeToResource(scope: string): string {
  // `X/.default` -> X ; `https://graph.microsoft.com/User.Read` -> https://graph.microsoft.com ; `api://id/Scope` -> api://id
  const noDefault = scope.replace(/\/\.default$/i, '');
  if (noDefault !== scope) return noDefault.replace(/\/+$/, '');
  const m = /^(.*:\/\/[^/]+(?:\/[^/]+)*?)\/[^/]+$/.exec(scope);
  return (m?.[1] ?? scope).replace(/\/+$/, '');
}

function tokenResponse(accessToken: string, lifetime: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken, ...extra };
}

async function tokenEndpoint(ctx: FakeContext, req: FakeRequest, tenantSegment: string): Promise<FakeReply> {
  const { state } = ctx;
  const cid = typeof req.headers['client-request-id'] === 'string' ? req.headers['client-request-id'] : undefined;
  const params = new URLSearchParams(req.body);
  const grantType = params.get('grant_type') ?? undefined;
  const clientId = params.get('client_id') ?? undefined;
  const v1Resource = params.get('resource');
  const rawScope = params.get('scope') ?? (v1Resource ? `${v1Resource.replace(/\/+$/, '')}/.default` : '');
  const resourceScopes = rawScope.split(/\s+/).filter((s) => s && !OIDC_SCOPES.has(s.toLowerCase()));
  const scope = resourceScopes.join(' ') || undefined;
  const resource = resourceScopes[0] ? scopeToResource(resourceScopes[0]) : undefined;
  const flow =
    grantType === GRANT_CLIENT_CREDENTIALS
      ? 'client_credentials'
      : grantType === GRANT_JWT_BEARER && params.get('requested_token_use') === 'on_behalf_of'
        ? 'on_behalf_of'
        : grantType;
  const assertionOid = flow === 'on_behalf_of' ? decodeClaims(params.get('assertion') ?? '')?.oid : undefined;
  const cae = (params.get('claims') ?? '').includes('xms_cc');
  const record: Partial<RequestRecord> = { grantType, flow, clientId, scope, resource, tenant: tenantSegment, assertionOid, ...(cae ? { cae } : {}) };
  const done = (reply: FakeReply, extra: Partial<RequestRecord> = {}): FakeReply => ({ ...reply, record: { ...record, ...reply.record, ...extra } });

  const failure = state.takeFailure('entra', req.path);
  if (failure) {
    return done(
      injectedReply(failure, (status) =>
        entraError({ status, error: status >= 500 ? 'temporarily_unavailable' : 'invalid_request', code: status >= 500 ? 90033 : 90000, text: 'Injected failure.', correlationId: cid }).body,
      ),
    );
  }

  const ref = resolveTenant(ctx, tenantSegment);
  if (!ref) return done(tenantNotFound(tenantSegment, cid));
  const missing = (name: string): FakeReply =>
    entraError({ error: 'invalid_request', code: 900144, text: `The request body must contain the following parameter: '${name}'.`, correlationId: cid });
  if (!grantType) return done(missing('grant_type'));
  if (!clientId) return done(missing('client_id'));
  const client = state.findClient(clientId);
  const homeTenant = client ? state.findTenant(client.tenantId) : undefined;
  // For OBO against /common or /organizations the user's tenant is used; for app flows the app's home tenant.
  let tenant = ref.kind === 'tenant' ? ref.tenant : homeTenant;
  if (flow === 'on_behalf_of' && ref.kind === 'alias') {
    const tid = decodeClaims(params.get('assertion') ?? '')?.tid;
    tenant = (tid ? state.findTenant(tid) : undefined) ?? homeTenant;
  }
  if (!client || !tenant || !state.isInTenant(client, tenant.tenantId)) {
    return done(
      entraError({
        error: 'unauthorized_client',
        code: 700016,
        text: `Application with identifier '${clientId}' was not found in the directory '${tenant?.displayName ?? tenantSegment}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
        correlationId: cid,
      }),
    );
  }

  const auth = await authenticateClient(ctx, params, client, tenant, cid);
  if (!auth.ok) return done(auth.reply);
  const authRecord: Partial<RequestRecord> = { clientAuth: auth.method, ...(auth.subject ? { clientAssertionSubject: auth.subject } : {}) };

  if (flow !== 'client_credentials' && flow !== 'on_behalf_of') {
    return done(entraError({ error: 'unsupported_grant_type', code: 70003, text: `The app requested an unsupported grant type '${grantType}'.`, correlationId: cid }), authRecord);
  }
  if (!scope || !resource) return done(missing('scope'), authRecord);
  if (new Set(resourceScopes.map((s) => scopeToResource(s).toLowerCase())).size > 1) {
    return done(entraError({ error: 'invalid_request', code: 28000, text: 'Provided value for the input parameter scope is not valid because it contains more than one resource.', correlationId: cid }), authRecord);
  }
  if (flow === 'client_credentials' && !/\/\.default$/i.test(resourceScopes[0] ?? '')) {
    return done(
      entraError({
        error: 'invalid_scope',
        code: 1002012,
        text: `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
        correlationId: cid,
      }),
      authRecord,
    );
  }
  if (!state.isKnownResource(resource)) {
    return done(oboError('AADSTS500011', { clientId, appName: client.displayName ?? clientId, resource, upn: '', tenantName: tenant.displayName, correlationId: cid }), authRecord);
  }

  const lifetime = state.tokenLifetimeSeconds;
  if (flow === 'client_credentials') {
    const claims = appClaims(
      ctx,
      { oid: client.oid, appId: client.clientId, roles: state.appRolesFor(client, resource), azpacr: auth.method === 'secret' ? '1' : '2' },
      { aud: resource, tid: tenant.tenantId, lifetimeSeconds: lifetime },
    );
    return done(json(200, tokenResponse(await signClaims(ctx, claims), lifetime)), authRecord);
  }
  return done(await onBehalfOf(ctx, params, client, tenant, resource, scope, cid), authRecord);
}

async function onBehalfOf(ctx: FakeContext, params: URLSearchParams, client: FakeClient, tenant: FakeTenant, resource: string, scope: string, cid: string | undefined): Promise<FakeReply> {
  const { state } = ctx;
  const assertion = params.get('assertion');
  if (!assertion) {
    return entraError({ error: 'invalid_request', code: 900144, text: "The request body must contain the following parameter: 'assertion'.", correlationId: cid });
  }
  const result = await ctx.keys.verify(assertion, {
    isIssuerValid: (iss) => isIssuerValid(ctx, iss),
    audiences: [client.clientId, `api://${client.clientId}`],
  });
  const appName = client.displayName ?? client.clientId;
  const grantFail = (text: string): FakeReply => entraError({ error: 'invalid_grant', code: 50013, text, correlationId: cid });
  if (!result.ok) {
    const c = result.claims;
    switch (result.reason) {
      case 'missing':
      case 'malformed':
        return entraError({ error: 'invalid_request', code: 50027, text: 'JWT token is invalid or malformed.', correlationId: cid });
      case 'expired':
      case 'not_yet_valid':
        return grantFail(
          `Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token. Current time: ${new Date().toISOString()}, expiry time of assertion ${c?.exp ? new Date(c.exp * 1000).toISOString() : 'unknown'}.`,
        );
      case 'bad_audience':
        return grantFail(
          `Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '${String(c?.aud)}' and the expected audience is '${client.clientId}' or one of the Application Uris of this client app.`,
        );
      case 'bad_issuer':
        return grantFail(`Assertion contains an invalid issuer '${String(c?.iss)}'.`);
      default:
        return grantFail(`Assertion failed signature validation. [Reason - ${result.message}, Thumbprint of key used by client: '${String(decodeProtectedHeader(assertion).kid)}']`);
    }
  }
  const claims = result.claims;
  const oid = claims.oid ?? '';
  const errCtx = { clientId: client.clientId, appName, resource, upn: claims.upn ?? claims.preferred_username ?? oid, tenantName: tenant.displayName, correlationId: cid };
  if (isAppToken(claims)) return oboError('AADSTS7000114', errCtx);
  const injected = state.takeOboFailure(oid);
  if (injected) return oboError(injected.code, errCtx, injected.description);
  const user = state.findPrincipal(oid);
  if (!user) {
    return entraError({ error: 'invalid_grant', code: 50034, text: `The user account ${errCtx.upn} does not exist in the ${tenant.tenantId} directory. To sign into this application, the account must be added to the directory.`, correlationId: cid });
  }
  if (!state.isInTenant(user, tenant.tenantId)) return oboError('AADSTS50020', errCtx);

  const lifetime = state.tokenLifetimeSeconds;
  const issued = userClaims(ctx, user, { aud: resource, tid: tenant.tenantId, azp: client.clientId, scp: 'user_impersonation', lifetimeSeconds: lifetime });
  return json(200, tokenResponse(await signClaims(ctx, issued), lifetime, { scope }));
}

// ---- routing ------------------------------------------------------------------------------------------------

export function entraHandler(ctx: FakeContext): (req: FakeRequest) => Promise<FakeReply> {
  return async (req) => {
    const segments = req.path.split('/').filter(Boolean);
    const tail = segments.slice(1).join('/').toLowerCase();
    const first = segments[0] ?? '';
    const method = req.method.toUpperCase();

    if (method === 'GET') {
      const whole = segments.join('/').toLowerCase();
      if (whole === 'discovery/v2.0/keys' || whole === 'discovery/keys') return json(200, ctx.keys.jwks());
      if (tail === 'discovery/instance' || whole === 'discovery/instance') return instanceDiscovery(ctx, req);
      const isDiscovery = ['v2.0/.well-known/openid-configuration', '.well-known/openid-configuration', 'discovery/v2.0/keys', 'discovery/keys'].includes(tail);
      if (isDiscovery) {
        const failure = ctx.state.takeFailure('entra', req.path);
        if (failure) return injectedReply(failure, () => ({ error: 'temporarily_unavailable' }));
        const ref = resolveTenant(ctx, first);
        if (!ref) return tenantNotFound(first);
        if (tail === 'v2.0/.well-known/openid-configuration') return json(200, openIdConfigurationV2(ctx, ref));
        if (tail === '.well-known/openid-configuration') return json(200, openIdConfigurationV1(ctx, ref));
        return json(200, ctx.keys.jwks());
      }
    }
    if (method === 'POST' && (tail === 'oauth2/v2.0/token' || tail === 'oauth2/token')) return tokenEndpoint(ctx, req, first);
    return json(404, { error: 'not_found', error_description: `The fake Entra has no endpoint ${method} ${req.path}.` });
  };
}
