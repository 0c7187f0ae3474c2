/**
 * Run-time PKI for the fakes: a throw-away CA, a server leaf certificate for 127.0.0.1/localhost signed by it,
 * and self-signed client certificates for app registrations (certificate credentials).
 * Keys come from node:crypto (fast, native); node-forge only builds and signs the X.509 structures.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

export interface TestPki {
  caCertPem: string;
  caKeyPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

export interface ClientCertificate {
  certPem: string;
  keyPem: string;
  /** Hex SHA-1 / SHA-256 of the DER certificate (what Entra calls the thumbprint). */
  thumbprintSha1: string;
  thumbprintSha256: string;
}

/** forge emits CRLF; keep PEM files in the common LF form. */
export function lf(pem: string): string {
  return pem.replace(/\r\n/g, '\n');
}

function rsaKeyPair(): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

function serialNumber(): string {
  // Positive (leading 0x01..0x7f byte) random serial.
  return `01${randomBytes(15).toString('hex')}`;
}

function validity(cert: forge.pki.Certificate, days: number): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + days * 24 * 60 * 60 * 1000);
}

export function certThumbprints(certPem: string): { sha1: string; sha256: string } {
  const der = Buffer.from(
    forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(certPem))).getBytes(),
    'binary',
  );
  return {
    sha1: createHash('sha1').update(der).digest('hex'),
    sha256: createHash('sha256').update(der).digest('hex'),
  };
}

/** CA + leaf for `IP:127.0.0.1, DNS:localhost`, valid for a day. */
export function generateTestPki(): TestPki {
  const caKeys = rsaKeyPair();
  const caKey = forge.pki.privateKeyFromPem(caKeys.privateKeyPem);
  const ca = forge.pki.createCertificate();
  ca.publicKey = forge.pki.publicKeyFromPem(caKeys.publicKeyPem);
  ca.serialNumber = serialNumber();
  validity(ca, 2);
  const caSubject = [
    { name: 'commonName', value: `azmcp fake Azure test CA ${randomBytes(4).toString('hex')}` },
    { name: 'organizationName', value: 'azmcp tests' },
  ];
  ca.setSubject(caSubject);
  ca.setIssuer(caSubject);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKey, forge.md.sha256.create());

  const leafKeys = rsaKeyPair();
  const leaf = forge.pki.createCertificate();
  leaf.publicKey = forge.pki.publicKeyFromPem(leafKeys.publicKeyPem);
  leaf.serialNumber = serialNumber();
  validity(leaf, 1);
  leaf.setSubject([{ name: 'commonName', value: 'localhost' }]);
  leaf.setIssuer(caSubject);
  leaf.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  leaf.sign(caKey, forge.md.sha256.create());

  return {
    caCertPem: lf(forge.pki.certificateToPem(ca)),
    caKeyPem: caKeys.privateKeyPem,
    serverCertPem: lf(forge.pki.certificateToPem(leaf)),
    serverKeyPem: leafKeys.privateKeyPem,
  };
}

/** Self-signed certificate of the kind uploaded to an app registration for certificate credentials. */
export function generateClientCertificate(commonName: string): ClientCertificate {
  const keys = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = serialNumber();
  validity(cert, 2);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKeyPem), forge.md.sha256.create());
  const certPem = lf(forge.pki.certificateToPem(cert));
  const { sha1, sha256 } = certThumbprints(certPem);
  return { certPem, keyPem: keys.privateKeyPem, thumbprintSha1: sha1, thumbprintSha256: sha256 };
}
