import { createPrivateKey, createPublicKey, X509Certificate, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DOMParser } from '@xmldom/xmldom';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from './config.error.js';
import { configuredPrivateKey, readConfiguredFile, readConfiguredJson, readConfiguredJwks } from './configured-files.js';
import { verifyingKeyProblems } from './verifying-keys.js';
import { configSchema, type Config, type SigningAlg } from './config.schema.js';
import { applyEnvOverrides } from './env-overrides.js';
import { formatPath, substituteEnv } from './env-substitution.js';
import { publishedTestKeyAmong } from './published-test-keys.js';
import { keyMisfit } from './signing-key-fit.js';

const XMLDSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';

export const DEFAULT_CONFIG_FILE = 'fixtures/config/demo.yaml';

/** Reads, substitutes and validates a config file; throws one {@link ConfigError} listing every problem. */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read the file: ${(error as Error).message}`]);
  }
  let parsed: unknown;
  try {
    // `logLevel: 'error'`: a warning (an unknown tag) would be printed with the lines around it.
    parsed = parseYaml(text, { logLevel: 'error' });
  } catch (error) {
    throw new ConfigError(file, [unparsableReason(error)]);
  }
  const config = parseConfig(parsed, file, env);
  const problems = configuredFileProblems(config);
  if (problems.length > 0) throw new ConfigError(file, problems);
  return config;
}

/**
 * Where and why a file is not YAML, in words that quote nothing of it: the parser's messages show the
 * lines around the mistake, and some quote the characters at fault, any of which may be a secret.
 */
function unparsableReason(error: unknown): string {
  if (error instanceof YAMLParseError) {
    const at = error.linePos?.[0];
    return `not valid YAML${at ? ` at line ${at.line}, column ${at.col}` : ''} (${error.code})`;
  }
  // The parser's other failures, both of aliases (`*name`): told apart by their fixed wording.
  if (error instanceof ReferenceError && error.message.startsWith('Excessive alias count'))
    return 'not valid YAML: too many aliases (a document that expands without bound)';
  if (error instanceof ReferenceError && error.message.startsWith('Unresolved alias'))
    return 'not valid YAML: an alias whose anchor is not set before it';
  return 'not valid YAML';
}

/** A client's `jwksFile` read, each of its keys one that can verify the client's assertions (verifying-keys.ts). */
function jwksFileCheck(file: string, where: string): () => void {
  return () => {
    const problems = verifyingKeyProblems(readConfiguredJwks(file, where).keys);
    if (problems.length > 0)
      throw new ConfigError(
        undefined,
        problems.map((problem) => `${where}: ${file}: ${problem}`),
      );
  };
}

/**
 * Each realm's `signingKeyFile` holds a key no earlier realm's holds, compared by the public key (the
 * same key in another file or format is the same key): a key signs one realm's tokens, and its `kid`
 * (its RFC 7638 thumbprint) names one realm's key in signing_keys and in every JWKS.
 */
function signingKeyFileCheck(seen: Map<string, string>, file: string, where: string, alg: SigningAlg): () => void {
  return () => {
    const { key } = configuredPrivateKey(file, where);
    const misfit = keyMisfit(key, alg, where, file);
    if (misfit) throw new ConfigError(file, [misfit]);
    const publicKey = createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
    const earlier = seen.get(publicKey);
    if (earlier) throw new ConfigError(file, [`${where}: ${file} holds the same key as ${earlier}; each realm signs with its own key`]);
    seen.set(publicKey, where);
  };
}

/**
 * Every file the config names, read now so that a bad one stops boot with its key path in the form
 * the schema errors use (`realms[1].clients[0].jwksFile`); the loaders that use them later know no
 * index. Signing key files are also compared with each other. SAML keys and metadata are only checked
 * to be readable here: saml-settings parses them.
 */
function configuredFileProblems(config: Config): string[] {
  const checks: (() => unknown)[] = config.environment === 'production' ? publishedTestKeyChecks(config) : [];
  // The embedded FHIR server's seed Bundle: whether its entries store is for the start that loads them.
  const seed = config.fhir.seed;
  if (seed) checks.push(() => readConfiguredJson(seed, 'fhir.seed'));
  const signingKeys = new Map<string, string>();
  config.realms.forEach((realm, r) => {
    const at = `realms[${r}]`;
    if (realm.signingKeyFile) checks.push(signingKeyFileCheck(signingKeys, realm.signingKeyFile, `${at}.signingKeyFile`, realm.signingAlg));
    realm.clients.forEach((client, c) => {
      if (client.jwksFile) checks.push(jwksFileCheck(client.jwksFile, `${at}.clients[${c}].jwksFile`));
    });
    const sp = realm.serviceProvider;
    for (const key of ['signingKey', 'signingCertificate', 'decryptionKey', 'decryptionCertificate'] as const) {
      const source = sp?.[key];
      if (source !== undefined && !source.includes('-----BEGIN'))
        checks.push(() => readConfiguredFile(source, `${at}.serviceProvider.${key}`));
    }
    realm.identityProviders.forEach((idp, i) => {
      if (idp.metadataFile) checks.push(() => readConfiguredFile(idp.metadataFile!, `${at}.identityProviders[${i}].metadataFile`));
    });
  });
  return checks.flatMap((check) => {
    try {
      check();
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  });
}

/**
 * In production, no key the config names may be one of the repository's test keys, whose private
 * halves are published with the source (published-test-keys.ts), in whatever file or form it comes.
 * A key that does not parse is left to the checks that read it for their own use.
 */
function publishedTestKeyChecks(config: Config): (() => void)[] {
  const checks: (() => void)[] = [];
  const refuse = (where: string, publicKeys: () => KeyObject[]) =>
    checks.push(() => {
      let keys: KeyObject[];
      try {
        keys = publicKeys();
      } catch {
        return;
      }
      const fixture = publishedTestKeyAmong(keys);
      if (fixture)
        throw new ConfigError(where, [
          `${where}: the key of ${fixture}, published with this repository's source, is refused in production`,
        ]);
    });
  const pem = (source: string, where: string) => (source.includes('-----BEGIN') ? source : readConfiguredFile(source, where));
  const privateKey = (source: string, where: string) => () => [createPublicKey(createPrivateKey(pem(source, where)))];
  const certificate = (source: string, where: string) => () => [new X509Certificate(pem(source, where)).publicKey];
  // Each key on its own: a set's unreadable key must not hide a test key beside it (jose uses the rest).
  const jwks = (set: { keys: Record<string, unknown>[] }) => () =>
    set.keys.flatMap((key) => {
      try {
        return [createPublicKey({ key: key as JsonWebKey, format: 'jwk' })];
      } catch {
        return [];
      }
    });
  // Every certificate in SAML metadata (`<ds:X509Certificate>`, base64 DER, XML Signature §4.5.4), of any
  // use or entity, for this check alone (saml-settings parses the metadata for use). Read by an XML
  // parser, so CDATA or character references between the lines hide none; a document it cannot read
  // is saml-settings' to refuse.
  const metadataCertificates = (file: string, where: string) => () => {
    const text = readConfiguredFile(file, where);
    const doc = new DOMParser({ errorHandler: () => {} }).parseFromString(text, 'text/xml');
    return Array.from(doc.getElementsByTagNameNS(XMLDSIG_NAMESPACE, 'X509Certificate')).flatMap((element) => {
      try {
        return [new X509Certificate(Buffer.from((element.textContent ?? '').replace(/\s+/g, ''), 'base64')).publicKey];
      } catch {
        return [];
      }
    });
  };
  config.realms.forEach((realm, r) => {
    const at = `realms[${r}]`;
    const { signingKeyFile } = realm;
    // A PEM or a private JWK (configuredPrivateKey), as the realm reads it.
    if (signingKeyFile)
      refuse(`${at}.signingKeyFile`, () => [createPublicKey(configuredPrivateKey(signingKeyFile, `${at}.signingKeyFile`).key)]);
    const sp = realm.serviceProvider;
    for (const key of ['signingKey', 'decryptionKey'] as const)
      if (sp?.[key]) refuse(`${at}.serviceProvider.${key}`, privateKey(sp[key], `${at}.serviceProvider.${key}`));
    for (const key of ['signingCertificate', 'decryptionCertificate'] as const)
      if (sp?.[key]) refuse(`${at}.serviceProvider.${key}`, certificate(sp[key], `${at}.serviceProvider.${key}`));
    realm.identityProviders.forEach((idp, i) => {
      (idp.signingCertificates ?? []).forEach((source, c) => {
        const where = `${at}.identityProviders[${i}].signingCertificates[${c}]`;
        refuse(where, certificate(source, where));
      });
      if (idp.metadataSigningCertificate) {
        const where = `${at}.identityProviders[${i}].metadataSigningCertificate`;
        refuse(where, certificate(idp.metadataSigningCertificate, where));
      }
      if (idp.metadataFile) {
        const where = `${at}.identityProviders[${i}].metadataFile`;
        refuse(where, metadataCertificates(idp.metadataFile, where));
      }
    });
    realm.clients.forEach((client, c) => {
      if (client.jwks) refuse(`${at}.clients[${c}].jwks`, jwks(client.jwks as { keys: Record<string, unknown>[] }));
      if (client.jwksFile) {
        const where = `${at}.clients[${c}].jwksFile`;
        refuse(where, () => jwks(readConfiguredJwks(client.jwksFile!, where))());
      }
    });
    realm.trustedIssuers.forEach((issuer, t) => {
      if (issuer.jwks) refuse(`${at}.trustedIssuers[${t}].jwks`, jwks(issuer.jwks as { keys: Record<string, unknown>[] }));
    });
  });
  return checks;
}

/** Validates an already parsed config object (tests build these in code). */
export function parseConfig(raw: unknown, source: string, env: NodeJS.ProcessEnv = process.env): Config {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(source, ['(root): must be a mapping of keys to values']);
  }
  const problems: string[] = [];
  const substituted = substituteEnv(raw, env, problems) as Record<string, unknown>;
  // A ${VAR} not set leaves "" behind, which the schema would refuse again (too short): said once.
  const unset = new Set(problems.map((problem) => problem.slice(0, problem.indexOf(': '))));
  const overrides = applyEnvOverrides(substituted, env);
  const result = configSchema.safeParse(substituted, { error: missingKey });
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = formatPath(issue.path);
      if (!unset.has(key)) problems.push(overrides.blame(issue.path, `${key}: ${issue.message}`));
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(source, problems);
  return result.data;
}

/**
 * A required key left out is said to be missing, not "expected object, received undefined"; an enum's
 * (`type`, `profile`) with its options. Other issues keep their schema's words (undefined passes them on).
 */
function missingKey(issue: { code?: string; input?: unknown; values?: readonly unknown[] }): string | undefined {
  if (issue.input !== undefined) return undefined;
  if (issue.code === 'invalid_type') return 'required, but missing';
  if (issue.code === 'invalid_value' && issue.values)
    return `required, but missing (one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')})`;
  return undefined;
}

/** The file named by `FEDERATION_CONFIG`, else the demo config. */
export function configFileFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.FEDERATION_CONFIG || DEFAULT_CONFIG_FILE;
}
