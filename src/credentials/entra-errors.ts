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
  if (code === 'AADSTS50013' || code === 'AADSTS500133' || code === 'AADSTS50027') {
    return new AzmcpError('AZMCP_INVALID_ASSERTION', `The caller's token could not be exchanged (${code}): ${message}`, {
      nextStep: "Sign in again to get a fresh token for the MCP server; check that the token's audience is the server's app (AzureAd__ClientId).",
      cause: error,
    });
  }
  if (code === 'AADSTS7000114') {
    return new AzmcpError('AZMCP_APP_ONLY_CALLER', `An app-only caller cannot use on-behalf-of (${code}): ${message}`, {
      nextStep:
        'Call with a user token, or start the server with --outgoing-auth-strategy UseHostingEnvironmentIdentity so it calls Azure as itself.',
      cause: error,
    });
  }
  if (code === 'AADSTS7000215' || code === 'AADSTS700027' || code === 'AADSTS700016' || code === 'AADSTS7000222') {
    return new AzmcpError('AZMCP_AUTHENTICATION_FAILED', `The server's own client credential was rejected (${code}): ${message}`, {
      nextStep: 'Check AzureAd__ClientId and AzureAd__ClientCredentials__0__* (secret value, certificate, or federated credential).',
      cause: error,
    });
  }
  if (name === 'CredentialUnavailableError' || name === 'AggregateAuthenticationError') {
    return new AzmcpError('AZMCP_CREDENTIAL_UNAVAILABLE', `No Azure credential is available. Tried: ${summarizeChain(error)}.`, {
      nextStep: SIGN_IN_HELP,
      cause: error,
    });
  }
  if (name === 'AuthenticationError' || name === 'AuthenticationRequiredError' || code) {
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
