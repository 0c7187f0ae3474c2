import { isAzmcpError } from '../errors/azmcp-error.js';

/** The text of a failed tool call: the stable code, the cause, and the next step. */
export function toToolErrorText(error: unknown): string {
  if (isAzmcpError(error)) return `${error.code}: ${error.describe()}`;
  const message = error instanceof Error ? error.message : String(error);
  return `Unexpected error: ${message}. This is a bug in azmcp; the server keeps serving.`;
}
