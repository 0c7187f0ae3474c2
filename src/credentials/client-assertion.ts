/**
 * How the server's app registration proves who it is to Entra when it exchanges a caller's token:
 * a client secret, a certificate (PEM), or a signed assertion — a managed identity's token for the token
 * exchange audience (the federated identity credential pattern) or a projected workload identity token
 * file. Everything that can be checked without the network is checked here, at start-up.
 */
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ClientAssertionCallback, INetworkModule, NodeAuthOptions } from '@azure/msal-node';
import type { ClientCredentialSource } from '../config/client-credentials.js';
import { AzmcpError, ConfigurationError } from '../errors/azmcp-error.js';

export type ClientAuthOptions = Pick<NodeAuthOptions, 'clientSecret' | 'clientCertificate' | 'clientAssertion'>;

export interface ClientAuthDeps {
  /** MSAL network client for the managed identity endpoint; tests pass one that trusts their CA. */
  networkClient?: INetworkModule;
}

export function buildClientAuth(source: ClientCredentialSource, deps: ClientAuthDeps = {}): ClientAuthOptions {
  switch (source.sourceType) {
    case 'ClientSecret':
      return { clientSecret: source.clientSecret };
    case 'Certificate':
      return { clientCertificate: readCertificate(source.certificateDiskPath, source.certificatePassword) };
    case 'SignedAssertionFromManagedIdentity':
      return { clientAssertion: managedIdentityAssertion(source.tokenExchangeUrl, source.managedIdentityClientId, deps) };
    case 'SignedAssertionFilePath':
      return { clientAssertion: fileAssertion(source.signedAssertionFileDiskPath) };
  }
}

const KEY = 'AzureAd:ClientCredentials:0:CertificateDiskPath';

/** A PEM holding the private key and its certificate (a chain may follow): key as PKCS#8, SHA-256 thumbprint. */
export function readCertificate(path: string, password?: string): NonNullable<NodeAuthOptions['clientCertificate']> {
  const pem = readFileSync(path, 'utf8');
  const keyBlock = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.exec(pem)?.[0];
  const certBlocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (!keyBlock || certBlocks.length === 0) {
    throw new ConfigurationError(
      `${KEY}: '${path}' must be a PEM file with both the private key and the certificate${keyBlock ? ' (no CERTIFICATE block found)' : ' (no PRIVATE KEY block found)'}; convert a .pfx with \`openssl pkcs12 -in cert.pfx -out cert.pem -nodes\`.`,
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(password ? { key: keyBlock, passphrase: password } : { key: keyBlock });
  } catch (error) {
    throw new ConfigurationError(
      `${KEY}: the private key in '${path}' cannot be read (${(error as Error).message})${password ? '' : '; if it is encrypted, set AzureAd:ClientCredentials:0:CertificatePassword'}.`,
    );
  }
  const certificate = certBlocks.map((block) => new X509Certificate(block)).find((cert) => cert.checkPrivateKey(privateKey));
  if (!certificate) throw new ConfigurationError(`${KEY}: no certificate in '${path}' matches its private key.`);
  if (Date.parse(certificate.validTo) < Date.now()) {
    throw new ConfigurationError(`${KEY}: the certificate in '${path}' expired on ${certificate.validTo}; upload a new one to the app registration.`);
  }
  return {
    thumbprintSha256: createHash('sha256').update(certificate.raw).digest('hex'),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/**
 * A managed identity's token for the token exchange audience, used as the client assertion. MSAL's
 * ManagedIdentityApplication finds the source (App Service `IDENTITY_ENDPOINT`/`IDENTITY_HEADER`, IMDS,
 * Arc, Service Fabric, Cloud Shell) from the environment and caches the token until shortly before expiry.
 */
function managedIdentityAssertion(resource: string, clientId: string | undefined, deps: ClientAuthDeps): ClientAssertionCallback {
  let app: Promise<import('@azure/msal-node').ManagedIdentityApplication> | undefined;
  return async () => {
    app ??= import('@azure/msal-node').then(
      ({ ManagedIdentityApplication }) =>
        new ManagedIdentityApplication({
          ...(clientId ? { managedIdentityIdParams: { userAssignedClientId: clientId } } : {}),
          ...(deps.networkClient ? { system: { networkClient: deps.networkClient } } : {}),
        }),
    );
    try {
      const result = await (await app).acquireToken({ resource });
      return result.accessToken;
    } catch (error) {
      const which = clientId ? `user-assigned managed identity ${clientId}` : 'system-assigned managed identity';
      throw new AzmcpError(
        'AZMCP_CREDENTIAL_UNAVAILABLE',
        `The ${which} could not provide a token for ${resource} (the on-behalf-of client assertion): ${firstLine(error)}`,
        {
          nextStep:
            'Run where that managed identity is assigned (App Service sets IDENTITY_ENDPOINT/IDENTITY_HEADER; VMs and AKS use IMDS), check AzureAd:ClientCredentials:0:ManagedIdentityClientId, and add a federated identity credential for it to the server\'s app registration.',
          cause: error,
        },
      );
    }
  };
}

/** The projected token file is rotated by the platform; it is read on every token request, so a new token is used as soon as it lands. */
function fileAssertion(path: string): ClientAssertionCallback {
  return async () => {
    let assertion: string;
    try {
      assertion = readFileSync(path, 'utf8').trim();
    } catch (error) {
      throw new AzmcpError('AZMCP_CREDENTIAL_UNAVAILABLE', `The signed assertion file '${path}' cannot be read: ${firstLine(error)}`, {
        nextStep: 'Check the workload identity token projection (AZURE_FEDERATED_TOKEN_FILE or AzureAd:ClientCredentials:0:SignedAssertionFileDiskPath).',
        cause: error,
      });
    }
    if (!assertion) {
      throw new AzmcpError('AZMCP_CREDENTIAL_UNAVAILABLE', `The signed assertion file '${path}' is empty.`, {
        nextStep: 'Check the workload identity token projection.',
      });
    }
    return assertion;
  };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 400);
}
