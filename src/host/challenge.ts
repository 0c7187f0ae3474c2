/**
 * `WWW-Authenticate` values (RFC 6750 §3, RFC 9728 §5.1). One header per answer; every value is a
 * quoted-string with `"` and `\` escaped, control characters turned to spaces and anything outside
 * printable ASCII to `?` (Node refuses such header bytes, which turned a 401 into a 500), so nothing a
 * token or a Host header carries can break out of it or break the answer.
 */
export function quoted(value: string): string {
  // eslint-disable-next-line no-control-regex
  const safe = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/[^\x20-\x7e]/g, '?');
  return `"${safe.replace(/["\\]/g, '\\$&')}"`;
}

/** 401. Without a description (no token presented) the challenge carries no error code, as RFC 6750 asks. */
export function unauthorizedChallenge(resourceMetadata: string, description?: string): string {
  const params = [`resource_metadata=${quoted(resourceMetadata)}`];
  if (description !== undefined) params.push(`error="invalid_token"`, `error_description=${quoted(description)}`);
  return `Bearer ${params.join(', ')}`;
}

/** 403: the token is valid but lacks `scope`. */
export function insufficientScopeChallenge(resourceMetadata: string, scope: string): string {
  return `Bearer error="insufficient_scope", scope=${quoted(scope)}, resource_metadata=${quoted(resourceMetadata)}`;
}

/** A value taken from an unverified token, for an error message: quoted and cut short. */
export function untrusted(value: unknown): string {
  return `'${String(value).slice(0, 64)}'`;
}
