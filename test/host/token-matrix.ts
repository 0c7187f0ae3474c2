/**
 * The incoming-token matrix, shared by the in-process (`app.inject`) and the spawned-server tests: each
 * row is one `initialize` request and exactly what the caller must see — status and `WWW-Authenticate`.
 * Rows that need a fresh signing key (rotation) are tested on their own: they depend on what is cached.
 */
import { decodeProtectedHeader } from 'jose';
import { DEFAULT_CLIENTS, MCP_SCOPE, TENANT_A, TENANT_B } from '../fakes/defaults.js';
import type { FakeAzure } from '../fakes/index.js';

export const CLIENT_ID = DEFAULT_CLIENTS.serverApp.clientId;

export interface MatrixRequest {
  /** Raw Authorization header value. */
  authorization?: string;
  /** Query string appended to /mcp, with `?`. */
  query?: string;
}

export interface MatrixRow {
  name: string;
  request(fake: FakeAzure): Promise<MatrixRequest & { expect: Expectation }>;
}

export type Expectation =
  | { status: 200 }
  | { status: 401; description?: string }
  | { status: 403; scope: string };

const now = () => Math.floor(Date.now() / 1000);
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const bearer = (token: string) => `Bearer ${token}`;

export const TOKEN_MATRIX: MatrixRow[] = [
  { name: 'no token', request: async () => ({ expect: { status: 401 } }) },
  {
    name: 'garbage bearer token',
    request: async () => ({ authorization: 'Bearer not-a-jwt', expect: { status: 401, description: 'The bearer token is not a JWT.' } }),
  },
  {
    name: 'non-Bearer scheme',
    request: async () => ({
      authorization: 'Basic YWxpY2U6c2VjcmV0',
      expect: { status: 401, description: "The Authorization header uses the 'Basic' scheme; send Authorization: Bearer <Entra ID access token>." },
    }),
  },
  {
    name: 'a bare token without a scheme (not echoed)',
    request: async (fake) => ({
      authorization: await fake.mintToken(fake.principals.alice),
      expect: { status: 401, description: 'The Authorization header is not a Bearer credential; send Authorization: Bearer <Entra ID access token>.' },
    }),
  },
  {
    name: 'valid token in the query string only',
    request: async (fake) => ({
      query: `?access_token=${await fake.mintToken(fake.principals.alice)}`,
      expect: {
        status: 401,
        description: 'Tokens are accepted only in the Authorization header, never in the query string (it ends up in logs); send Authorization: Bearer <token>.',
      },
    }),
  },
  {
    name: 'expired beyond the 5-minute skew',
    request: async (fake) => {
      const exp = now() - 600;
      return {
        authorization: bearer(await fake.mintToken(fake.principals.alice, { iat: exp - 3600, nbf: exp - 3600, exp })),
        expect: { status: 401, description: `The token expired at ${iso(exp)}; get a new token.` },
      };
    },
  },
  {
    name: 'expired within the 5-minute skew',
    request: async (fake) => ({ authorization: bearer(await fake.mintToken(fake.principals.alice, { exp: now() - 60 })), expect: { status: 200 } }),
  },
  {
    name: 'not yet valid beyond the skew',
    request: async (fake) => {
      const nbf = now() + 600;
      return {
        authorization: bearer(await fake.mintToken(fake.principals.alice, { nbf, exp: nbf + 3600 })),
        expect: { status: 401, description: `The token is not valid yet (nbf ${iso(nbf)}); check the clocks.` },
      };
    },
  },
  {
    name: 'not yet valid within the skew',
    request: async (fake) => ({ authorization: bearer(await fake.mintToken(fake.principals.alice, { nbf: now() + 60 })), expect: { status: 200 } }),
  },
  {
    name: 'wrong audience (a token for ARM)',
    request: async (fake) => ({
      authorization: bearer(await fake.mintToken(fake.principals.alice, { aud: 'https://management.azure.com' })),
      expect: {
        status: 401,
        description: `The token's audience (aud 'https://management.azure.com') is not this server: expected ${CLIENT_ID} or api://${CLIENT_ID}. Request a token for api://${CLIENT_ID}/${MCP_SCOPE}.`,
      },
    }),
  },
  {
    name: 'audience api://{ClientId}',
    request: async (fake) => ({ authorization: bearer(await fake.mintToken(fake.principals.alice, { aud: `api://${CLIENT_ID}` })), expect: { status: 200 } }),
  },
  {
    name: "another tenant's issuer",
    request: async (fake) => ({
      authorization: bearer(await fake.mintToken(fake.principals.alice, { tid: TENANT_B })),
      expect: {
        status: 401,
        description: `The token's issuer (iss '${fake.entraUrl}/${TENANT_B}/v2.0', tid '${TENANT_B}') is not this server's tenant: expected ${fake.entraUrl}/${TENANT_A}/v2.0 or https://sts.windows.net/${TENANT_A}/. Sign in to the tenant set in AzureAd__TenantId.`,
      },
    }),
  },
  {
    name: 'v1 issuer https://sts.windows.net/{tid}/',
    request: async (fake) => ({
      authorization: bearer(await fake.mintToken(fake.principals.alice, { iss: `https://sts.windows.net/${TENANT_A}/`, ver: '1.0', aud: `api://${CLIENT_ID}` })),
      expect: { status: 200 },
    }),
  },
  {
    name: 'alg none',
    request: async (fake) => ({
      authorization: bearer(await fake.mintToken(fake.principals.alice, {}, { alg: 'none' })),
      expect: { status: 401, description: "The token is signed with 'none'; only RS256 tokens from Entra ID are accepted." },
    }),
  },
  {
    name: 'HS256',
    request: async (fake) => ({
      authorization: bearer(await fake.mintToken(fake.principals.alice, {}, { alg: 'HS256' })),
      expect: { status: 401, description: "The token is signed with 'HS256'; only RS256 tokens from Entra ID are accepted." },
    }),
  },
  {
    // Regression: a non-Latin-1 header value once reached WWW-Authenticate raw, and Node answered 500.
    name: 'non-ASCII alg in an unsigned header',
    request: async () => ({
      authorization: bearer(`${Buffer.from(JSON.stringify({ alg: 'RS256\u2603', typ: 'JWT' })).toString('base64url')}.e30.c2ln`),
      expect: { status: 401, description: "The token is signed with 'RS256?'; only RS256 tokens from Entra ID are accepted." },
    }),
  },
  {
    name: 'non-ASCII kid',
    request: async (fake) => ({
      authorization: bearer(await fake.mintToken(fake.principals.alice, {}, { header: { kid: 'k\u00e9y-\u2603' } })),
      expect: { status: 401, description: "The token is signed with a key (kid 'k?y-?') that is not among the tenant's published signing keys." },
    }),
  },
  {
    name: 'unknown signing key',
    request: async (fake) => {
      const token = await fake.mintToken(fake.principals.alice, {}, { key: 'unknown' });
      const { kid } = decodeProtectedHeader(token);
      return {
        authorization: bearer(token),
        expect: { status: 401, description: `The token is signed with a key (kid '${kid}') that is not among the tenant's published signing keys.` },
      };
    },
  },
  {
    name: 'tampered payload (signature no longer matches)',
    request: async (fake) => {
      const [header, , signature] = (await fake.mintToken(fake.principals.alice)).split('.');
      const [, payload] = (await fake.mintToken(fake.principals.bob)).split('.');
      return {
        authorization: bearer(`${header}.${payload}.${signature}`),
        expect: { status: 401, description: "The token's signature does not verify with the tenant's signing key it names." },
      };
    },
  },
  {
    name: 'no oid claim',
    request: async (fake) => ({
      authorization: bearer(await fake.mintToken(fake.principals.alice, { oid: undefined })),
      expect: { status: 401, description: 'The token has no oid claim; Entra ID access tokens for this server always carry one.' },
    }),
  },
  {
    name: 'user without the scope',
    request: async (fake) => ({
      authorization: bearer(await fake.mintToken(fake.principals.alice, { scp: 'User.Read' })),
      expect: { status: 403, scope: `api://${CLIENT_ID}/${MCP_SCOPE}` },
    }),
  },
  {
    name: 'user with the scope among others',
    request: async (fake) => ({
      authorization: bearer(await fake.mintToken(fake.principals.bob, { scp: `User.Read ${MCP_SCOPE} offline_access` })),
      expect: { status: 200 },
    }),
  },
  {
    name: 'app with the role',
    request: async (fake) => ({ authorization: bearer(await fake.mintToken(fake.principals.appCaller)), expect: { status: 200 } }),
  },
  {
    name: 'app without any role',
    request: async (fake) => ({
      authorization: bearer(await fake.mintToken(fake.principals.appCaller, { roles: undefined })),
      expect: { status: 403, scope: `api://${CLIENT_ID}/.default` },
    }),
  },
  {
    name: 'app with another role only',
    request: async (fake) => ({
      authorization: bearer(await fake.mintToken(fake.principals.appCaller, { roles: ['Other.Role'] })),
      expect: { status: 403, scope: `api://${CLIENT_ID}/.default` },
    }),
  },
];

/** The exact `WWW-Authenticate` header a row must produce (undefined for 200). */
export function expectedChallenge(expectation: Expectation, resourceMetadata: string): string | undefined {
  if (expectation.status === 200) return undefined;
  if (expectation.status === 403) {
    return `Bearer error="insufficient_scope", scope="${expectation.scope}", resource_metadata="${resourceMetadata}"`;
  }
  return expectation.description === undefined
    ? `Bearer resource_metadata="${resourceMetadata}"`
    : `Bearer resource_metadata="${resourceMetadata}", error="invalid_token", error_description="${expectation.description}"`;
}
