import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config.error.js';
import { keyMatchesCertificate, loadCertificate, loadPrivateKey, pemBlocks } from './pem.js';

const KEY = 'fixtures/saml/sp-encryption.TEST-ONLY.key';
const CERT = 'fixtures/saml/sp-encryption.crt';
const OTHER_CERT = 'fixtures/saml/sp-signing.crt';
const text = (file: string) => readFileSync(file, 'utf8');

describe('PEM keys and certificates from the config', () => {
  it('reads a file path or inline PEM alike', () => {
    expect(loadCertificate(CERT, 'where')).toBe(loadCertificate(text(CERT), 'where'));
    expect(loadPrivateKey(KEY, 'where').key).toBe(loadPrivateKey(text(KEY), 'where').key);
  });

  it('finds the certificate that follows a key in one PEM, and checks it belongs to the key', () => {
    expect(loadPrivateKey(text(KEY) + text(CERT), 'where').certificate).toBe(pemBlocks(text(CERT))[0].pem);
    expect(() => loadPrivateKey(text(KEY) + text(OTHER_CERT), 'cfg.key')).toThrow(
      'cfg.key: the certificate does not belong to the private key',
    );
    expect(keyMatchesCertificate(text(KEY), text(CERT))).toBe(true);
  });

  it('names the config path and never the material in its errors', () => {
    expect(() => loadCertificate('no/such/file.crt', 'realms.r.serviceProvider.signingCertificate')).toThrow(
      'realms.r.serviceProvider.signingCertificate: cannot read PEM file no/such/file.crt',
    );
    expect(() => loadCertificate(text(KEY), 'where')).toThrow('where: expected exactly one PEM CERTIFICATE');
    // A config error: the service prints it as it prints an invalid config file's, without a stack.
    expect(() => loadCertificate(text(KEY), 'where')).toThrow(ConfigError);
    expect(() => loadPrivateKey(text(CERT), 'where')).toThrow('where: expected exactly one PEM private key');
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(() => loadCertificate(broken, 'where')).toThrow('where: not a valid X.509 certificate');
  });
});
