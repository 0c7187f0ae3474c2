/**
 * Turns credential failures (from @azure/identity or MSAL) into errors a user can act on. Entra reports
 * the cause as an AADSTS code inside the message; the common ones get a precise next step.
 */
import { AzmcpError } from '../errors/azmcp-error.js';

const SIGN_IN_HELP =
  'Sign in with `az login` or `azd auth login`, or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, ' +
  'or run where a managed identity is available. AZURE_TOKEN_CREDENTIALS narrows which credentials are tried (see TROUBLESHOOTING.md).';

export function aadstsCode(error: unknown): string | undefined {
  const text = collectText(error);
  return /AADSTS(\d{5,8})/.exec(text)?.[0];
}

/** Maps an error thrown while getting a token; returns undefined when it is not a credential error. */
export function toCredentialError(error: unknown): AzmcpError | undefined {
  if (error instanceof AzmcpError) return error;
  const name = (error as { name?: string } | null)?.name ?? '';
  const message = firstLine(error);
  const code = aadstsCode(error);

  if (code === 'AADSTS65001') {
    return new AzmcpError('AZMCP_CONSENT_REQUIRED', `Consent is missing (${code}): ${message}`, {
      nextStep:
        "An administrator must grant consent to the MCP server's app registration for the Azure Resource Manager and Microsoft Graph `user_impersonation` / `User.Read` permissions (Entra admin center → App registrations → API permissions → Grant admin consent), or the user must consent when signing in.",
      cause: error,
    });
  }
  if (code && INVALID_ASSERTION_CODES.has(code) && oauthErrorOf(error) !== 'invalid_client') {
    return new AzmcpError('AZMCP_INVALID_ASSERTION', `The caller's token could not be exchanged (${code}): ${message}`, {
      nextStep: "Sign in again to get a fresh token for the MCP server; check that the token's audience is the server's app (AzureAd__ClientId).",
      cause: error,
    });
  }
  if (code === 'AADSTS7000114') {
    return new AzmcpError('AZMCP_APP_ONLY_CALLER', `An app-only caller cannot use on-behalf-of (${code}): ${message}`, {
      nextStep:
        'Call with a user token, or start the server with --app-only-caller-strategy UseHostingEnvironmentIdentity to serve app-only callers with its own identity.',
      cause: error,
    });
  }
  // On-behalf-of maps these itself (toOnBehalfOfError), so here the rejected credential is the hosting identity's.
  if (code && CLIENT_CREDENTIAL_CODES.has(code)) {
    return new AzmcpError('AZMCP_AUTHENTICATION_FAILED', `The hosting identity's client credential was rejected (${code}): ${message}`, {
      nextStep:
        'Check AZURE_CLIENT_ID and AZURE_TENANT_ID with AZURE_CLIENT_SECRET (the secret value, not its id) or AZURE_CLIENT_CERTIFICATE_PATH, or the federated credential behind AZURE_FEDERATED_TOKEN_FILE.',
      cause: error,
    });
  }
  if (name === 'CredentialUnavailableError' || name === 'AggregateAuthenticationError') {
    return new AzmcpError('AZMCP_CREDENTIAL_UNAVAILABLE', `No Azure credential is available. Tried: ${summarizeChain(error)}.`, {
      nextStep: SIGN_IN_HELP,
      cause: error,
    });
  }
  if (name === 'AuthenticationError' || name === 'AuthenticationRequiredError' || MSAL_ERROR_NAMES.has(name) || code) {
    if (isNetworkFailure(error)) {
      return new AzmcpError('AZMCP_TOKEN_ENDPOINT_UNREACHABLE', `The Entra ID token endpoint could not be reached: ${message}`, {
        nextStep: 'Check network access to the authority host (--cloud) and any proxy settings.',
        cause: error,
      });
    }
    return new AzmcpError('AZMCP_AUTHENTICATION_FAILED', `Getting a token failed${code ? ` (${code})` : ''}: ${message}`, {
      nextStep: SIGN_IN_HELP,
      cause: error,
    });
  }
  return undefined;
}

const MSAL_ERROR_NAMES = new Set(['AuthError', 'ClientAuthError', 'ClientConfigurationError', 'ServerError', 'InteractionRequiredAuthError', 'NetworkError']);

export interface OnBehalfOfErrorContext {
  /** The server's app registration (AzureAd:ClientId). */
  clientId: string;
  /** The caller's tenant, where the exchange happened. */
  tenantId: string;
  /** AzureAd:Instance, with a trailing slash. */
  instance: string;
  /** The scope that was asked for, e.g. `https://management.azure.com/.default`. */
  resource: string;
}

/**
 * Maps a failed on-behalf-of exchange. The codes a user or an administrator can fix get a precise next
 * step naming the server's app registration; the rest fall back to toCredentialError.
 */
export function toOnBehalfOfError(error: unknown, ctx: OnBehalfOfErrorContext): AzmcpError {
  if (error instanceof AzmcpError) return error;
  const code = aadstsCode(error);
  const message = firstLine(error);
  const api = ctx.resource.replace(/\/\.default$/, '');
  if (code === 'AADSTS65001') {
    return new AzmcpError(
      'AZMCP_CONSENT_REQUIRED',
      `Consent is missing (${code}): the MCP server's app registration ${ctx.clientId} may not call ${api} on behalf of this user in tenant ${ctx.tenantId}.`,
      {
        nextStep:
          `An administrator grants it once for everyone: Entra admin center → App registrations → ${ctx.clientId} → API permissions → add the delegated permissions (Azure Service Management user_impersonation, Microsoft Graph User.Read) → Grant admin consent; ` +
          `or \`az ad app permission admin-consent --id ${ctx.clientId}\`; or open ${ctx.instance}${ctx.tenantId}/adminconsent?client_id=${ctx.clientId}. ` +
          'Where user consent is allowed, a user can instead consent by signing in to the server\'s app once. See TROUBLESHOOTING.md (AZMCP_CONSENT_REQUIRED).',
        cause: error,
      },
    );
  }
  if ((code && CLIENT_CREDENTIAL_CODES.has(code)) || oauthErrorOf(error) === 'invalid_client') {
    return new AzmcpError('AZMCP_AUTHENTICATION_FAILED', `Entra rejected the MCP server's own client credential (${code}): ${message}`, {
      nextStep:
        `Check AzureAd__ClientId (${ctx.clientId}) and AzureAd__ClientCredentials__0__* — the secret value (not its id), the certificate uploaded to the app registration, or its federated identity credential (issuer, subject and audience of the managed identity or workload identity token).`,
      cause: error,
    });
  }
  if (code && INVALID_ASSERTION_CODES.has(code)) {
    return new AzmcpError('AZMCP_INVALID_ASSERTION', `Entra refused to exchange the caller's token (${code}): ${message}`, {
      nextStep:
        `Sign in again to get a fresh token for the MCP server; the token must be issued for the server's app (audience ${ctx.clientId} or api://${ctx.clientId}) by the same Entra instance the server uses (AzureAd__Instance).`,
      cause: error,
    });
  }
  if (code && INTERACTION_CODES.has(code)) {
    return new AzmcpError('AZMCP_AUTHENTICATION_FAILED', `Entra needs the user to sign in again before ${api} can be called on their behalf (${code}): ${message}`, {
      nextStep:
        'Sign out and in again in the MCP client, completing multi-factor authentication or whatever Conditional Access asks for; an administrator can check the sign-in logs for the policy.',
      cause: error,
    });
  }
  const mapped = toCredentialError(error);
  if (mapped?.code === 'AZMCP_TOKEN_ENDPOINT_UNREACHABLE') {
    return new AzmcpError('AZMCP_TOKEN_ENDPOINT_UNREACHABLE', `The Entra ID token endpoint (${ctx.instance}${ctx.tenantId}) could not be reached for the on-behalf-of exchange: ${message}`, {
      nextStep: 'Check AzureAd__Instance, --cloud, and network access (proxy, firewall) from the server to Entra ID; the server keeps serving and retries on the next call.',
      cause: error,
    });
  }
  if (mapped && mapped.code !== 'AZMCP_AUTHENTICATION_FAILED') return mapped;
  return new AzmcpError('AZMCP_AUTHENTICATION_FAILED', `The on-behalf-of exchange for ${api} failed${code ? ` (${code})` : ''}: ${message}`, {
    nextStep: 'Sign in again; if it persists, look the AADSTS code up in TROUBLESHOOTING.md or https://login.microsoftonline.com/error.',
    cause: error,
  });
}

/** The OAuth `error` of a token endpoint answer (MSAL's ServerError.errorCode): `invalid_client` blames the server's credential. */
function oauthErrorOf(error: unknown): string | undefined {
  return (error as { errorCode?: string } | null)?.errorCode;
}

/** Codes that mean the caller's token (the on-behalf-of assertion) was refused. */
const INVALID_ASSERTION_CODES = new Set(['AADSTS50013', 'AADSTS500133', 'AADSTS50027']);

/** Codes that a fresh interactive sign-in (MFA, Conditional Access, revoked grant) resolves. */
const INTERACTION_CODES = new Set(['AADSTS50076', 'AADSTS50079', 'AADSTS53003', 'AADSTS50173', 'AADSTS50158', 'AADSTS50078']);

/** Codes that mean the server's own credential (secret, certificate, federated assertion) was refused. */
const CLIENT_CREDENTIAL_CODES = new Set([
  'AADSTS7000215', // invalid client secret
  'AADSTS7000222', // expired client secret
  'AADSTS700027', // certificate assertion signature / unknown certificate
  'AADSTS700016', // application not found in the directory
  'AADSTS70021', // no federated identity record matches the assertion
  'AADSTS700211', // no federated identity record for the assertion's issuer
  'AADSTS700212', // no federated identity record for the assertion's audience
  'AADSTS700213', // no federated identity record for the assertion's subject
  'AADSTS700024', // client assertion outside its valid time range
  'AADSTS7000218', // no client credential in the request
]);

function summarizeChain(error: unknown): string {
  const errors = (error as { errors?: unknown[] }).errors;
  if (Array.isArray(errors) && errors.length > 0) {
    return errors.map((e) => firstLine(e)).join('; ');
  }
  return firstLine(error);
}

function isNetworkFailure(error: unknown): boolean {
  return /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNRESET|network_error|fetch failed|endpoints_resolution_error/i.test(
    collectText(error),
  );
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3).join(' ').slice(0, 600);
}

function collectText(error: unknown, depth = 0): string {
  if (!error || depth > 4) return '';
  const e = error as { message?: string; errorMessage?: string; cause?: unknown; errors?: unknown[]; errorResponse?: unknown };
  const parts = [e.message ?? '', e.errorMessage ?? '', typeof e.errorResponse === 'object' ? JSON.stringify(e.errorResponse) : ''];
  if (e.cause) parts.push(collectText(e.cause, depth + 1));
  if (Array.isArray(e.errors)) parts.push(...e.errors.map((inner) => collectText(inner, depth + 1)));
  return parts.join(' ');
}
