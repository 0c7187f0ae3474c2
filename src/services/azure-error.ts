/**
 * Every failure inside a service becomes an AzmcpError naming the cause and the fix, so tools can
 * return it as an error result and the server keeps serving.
 */
import type { RestError } from '@azure/core-rest-pipeline';
import { AzmcpError } from '../errors/azmcp-error.js';
import { toCredentialError } from '../credentials/entra-errors.js';

// By name rather than core-rest-pipeline's isRestError: importing that module costs ~130 ms of stdio start-up.
const isRestError = (error: unknown): error is RestError => (error as { name?: unknown } | null)?.name === 'RestError';

export function toAzureError(error: unknown, what: string): AzmcpError {
  if (error instanceof AzmcpError) return error;
  const credentialError = toCredentialError(error);
  if (credentialError) return credentialError;

  if (isRestError(error)) {
    const status = error.statusCode;
    const { code, message } = armErrorBody(error);
    const detail = message ?? error.message;
    const codeText = code ? ` (${code})` : '';
    if (status === 404) {
      return new AzmcpError('AZMCP_NOT_FOUND', `Not found while ${what}${codeText}: ${detail}`, {
        nextStep: 'Check the name or id; subscription_list and group_list show what exists.',
        cause: error,
      });
    }
    if (status === 403) {
      return new AzmcpError('AZMCP_ACCESS_DENIED', `Access denied while ${what}${codeText}: ${detail}`, {
        nextStep: 'Ask for an Azure role assignment (for example Reader) on the subscription or resource group for the identity shown by identity_whoami.',
        cause: error,
      });
    }
    if (status === 401) {
      return new AzmcpError('AZMCP_AUTHENTICATION_FAILED', `Azure rejected the credential while ${what}${codeText}: ${detail}`, {
        nextStep: 'Sign in again; check that the identity belongs to the tenant you asked for.',
        cause: error,
      });
    }
    if (status === undefined) {
      return new AzmcpError('AZMCP_AZURE_REQUEST_FAILED', `Azure could not be reached while ${what}: ${error.message}`, {
        nextStep: 'Check network access to the Azure endpoints of the selected cloud (--cloud).',
        cause: error,
      });
    }
    return new AzmcpError('AZMCP_AZURE_REQUEST_FAILED', `Azure answered ${status} while ${what}${codeText}: ${detail}`, {
      nextStep: status >= 500 || status === 429 ? 'Azure is busy or unavailable; try again shortly.' : 'Check the arguments.',
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AzmcpError('AZMCP_AZURE_REQUEST_FAILED', `Failed while ${what}: ${message}`, { cause: error });
}

function armErrorBody(error: { response?: { bodyAsText?: string | null }; code?: string }): { code?: string; message?: string } {
  const text = error.response?.bodyAsText;
  if (text) {
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
      if (body.error) return { code: body.error.code, message: body.error.message };
    } catch {
      // not JSON: fall back to the RestError's own text
    }
  }
  return { code: error.code };
}
