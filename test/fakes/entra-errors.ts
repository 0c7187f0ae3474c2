/** Entra ID (AAD STS) error responses in the real wire shape. */
import { randomUUID } from 'node:crypto';
import type { FakeReply } from './http.js';

export interface EntraErrorInit {
  status?: number;
  error: string;
  /** Numeric AADSTS code, e.g. 65001. */
  code: number;
  /** Text after `AADSTSnnnn: `. */
  text: string;
  suberror?: string;
  claims?: string;
  correlationId?: string;
}

function timestamp(date = new Date()): string {
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function entraError(init: EntraErrorInit): FakeReply {
  const traceId = randomUUID();
  const correlationId = init.correlationId ?? randomUUID();
  const ts = timestamp();
  const body: Record<string, unknown> = {
    error: init.error,
    error_description: `AADSTS${init.code}: ${init.text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${ts}`,
    error_codes: [init.code],
    timestamp: ts,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${init.code}`,
  };
  if (init.suberror) body.suberror = init.suberror;
  if (init.claims) body.claims = init.claims;
  return {
    status: init.status ?? 400,
    body,
    headers: { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache', 'x-ms-request-id': traceId },
    record: { error: `AADSTS${init.code}` },
  };
}

export interface OboErrorContext {
  clientId: string;
  appName: string;
  resource: string;
  upn: string;
  tenantName: string;
  correlationId?: string;
}

type OboErrorSpec = Omit<EntraErrorInit, 'text' | 'code' | 'correlationId'> & { text: (c: OboErrorContext) => string };

const MFA_CLAIMS = JSON.stringify({ access_token: { capolids: { essential: true, values: ['c0ffee00-0000-4000-8000-000000000001'] } } });

/** Errors `failObo(oid, code)` can produce; unknown codes fall back to a generic invalid_grant. */
export const OBO_ERRORS: Record<string, OboErrorSpec> = {
  AADSTS65001: {
    error: 'invalid_grant',
    suberror: 'consent_required',
    text: (c) =>
      `The user or administrator has not consented to use the application with ID '${c.clientId}' named '${c.appName}'. Send an interactive authorization request for this user and resource.`,
  },
  AADSTS50013: {
    error: 'invalid_grant',
    text: () => 'Assertion failed signature validation. [Reason - The key was not found.]',
  },
  AADSTS50076: {
    error: 'invalid_grant',
    suberror: 'basic_action',
    claims: MFA_CLAIMS,
    text: (c) =>
      `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${c.resource}'.`,
  },
  AADSTS50079: {
    error: 'interaction_required',
    suberror: 'basic_action',
    text: () => 'Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access the resource.',
  },
  AADSTS53003: {
    error: 'invalid_grant',
    suberror: 'message_only',
    claims: MFA_CLAIMS,
    text: () => 'Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.',
  },
  AADSTS50020: {
    error: 'invalid_grant',
    text: (c) =>
      `User account '${c.upn}' from identity provider 'live.com' does not exist in tenant '${c.tenantName}' and cannot access the application '${c.clientId}'(${c.appName}) in that tenant. The account needs to be added as an external user in the tenant first.`,
  },
  AADSTS50173: {
    error: 'invalid_grant',
    text: () => 'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.',
  },
  AADSTS500011: {
    error: 'invalid_resource',
    text: (c) =>
      `The resource principal named ${c.resource} was not found in the tenant named ${c.tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
  },
  AADSTS700024: {
    error: 'invalid_client',
    text: () => 'Client assertion is not within its valid time range.',
  },
  AADSTS7000215: {
    status: 401,
    error: 'invalid_client',
    text: (c) =>
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${c.clientId}'.`,
  },
  AADSTS7000114: {
    error: 'invalid_grant',
    text: (c) => `Application '${c.clientId}'(${c.appName}) is not allowed to make application on-behalf-of calls.`,
  },
};

export function oboError(code: string, ctx: OboErrorContext, description?: string): FakeReply {
  const spec: OboErrorSpec = OBO_ERRORS[code] ?? { error: 'invalid_grant', text: () => 'The on-behalf-of request failed.' };
  const numeric = Number(code.replace(/^AADSTS/i, ''));
  return entraError({ ...spec, code: numeric, text: description ?? spec.text(ctx), correlationId: ctx.correlationId });
}
