/**
 * Errors users can act on. Every error the product raises on purpose carries a stable `code`
 * (a row in TROUBLESHOOTING.md), a message naming the cause, and the next step.
 */
export type ErrorCode =
  | 'AZMCP_INVALID_OPTION'
  | 'AZMCP_INVALID_CONFIGURATION'
  | 'AZMCP_INVALID_ARGUMENT'
  | 'AZMCP_TOOL_NOT_AVAILABLE'
  | 'AZMCP_NOT_FOUND'
  | 'AZMCP_ACCESS_DENIED'
  | 'AZMCP_CREDENTIAL_UNAVAILABLE'
  | 'AZMCP_AUTHENTICATION_FAILED'
  | 'AZMCP_CONSENT_REQUIRED'
  | 'AZMCP_INVALID_ASSERTION'
  | 'AZMCP_APP_ONLY_CALLER'
  | 'AZMCP_TENANT_MISMATCH'
  | 'AZMCP_NO_CALLER_IDENTITY'
  | 'AZMCP_TOKEN_ENDPOINT_UNREACHABLE'
  | 'AZMCP_AZURE_REQUEST_FAILED'
  // Answered by the HTTP host as status codes with challenges (src/host/errors.ts).
  | 'AZMCP_INVALID_TOKEN'
  | 'AZMCP_INSUFFICIENT_SCOPE'
  | 'AZMCP_SIGNING_KEYS_UNAVAILABLE'
  | 'AZMCP_RATE_LIMITED';

export class AzmcpError extends Error {
  override readonly name: string = 'AzmcpError';
  readonly code: ErrorCode;
  readonly nextStep?: string;

  constructor(code: ErrorCode, message: string, options?: { nextStep?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.nextStep = options?.nextStep;
  }

  /** One line a user can act on: what happened, then what to do. */
  describe(): string {
    return this.nextStep ? `${this.message} ${this.nextStep}` : this.message;
  }
}

/** A command-line option or configuration value is wrong; the message names the option and the fix. */
export class OptionError extends AzmcpError {
  override readonly name = 'OptionError';
  constructor(message: string) {
    super('AZMCP_INVALID_OPTION', message);
  }
}

export class ConfigurationError extends AzmcpError {
  override readonly name = 'ConfigurationError';
  constructor(message: string) {
    super('AZMCP_INVALID_CONFIGURATION', message);
  }
}

export function isAzmcpError(error: unknown): error is AzmcpError {
  return error instanceof AzmcpError;
}
