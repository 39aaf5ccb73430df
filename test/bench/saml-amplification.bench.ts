import { createHash, randomBytes } from 'node:crypto';
import { cookiesFrom } from '../support/browser-cookies.js';
import { citizenAttributes } from '../support/saml/saml-attributes.js';
import type { TestIdp } from '../support/saml/test-idp.js';
import { DEFAULT_XML_LIMITS, measureXml, precheckXml, type XmlShape } from '../../src/saml/xml-prechecks.js';
import { runFlows } from './flows.js';
import type { LoadResult } from './load.js';

const CALLBACK = 'http://localhost:3000/callback';
const ALIAS = 'nemlog-in';

/** Issue 15, finding 1: the Response whose refusal cost ~9 s of worker CPU before the precheck bounded its shape. */
export const AMPLIFICATION_ELEMENTS = 16_000;

export interface AttackResult {
  posts: number;
  /** Time from the POST to its answer, in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** How the service answered, e.g. `303` (access_denied to the client) → count. */
  statuses: Record<string, number>;
}

export interface PreparedLogin {
  form: Record<string, string>;
  verifier: string;
  cookie: string;
}

/** Starts a login at the NemLog-in test IdP, as a browser would: the IdP redirect and the binding cookie. */
async function authorize(issuer: string, verifier = randomBytes(32).toString('base64url')) {
  const url = new URL(`${issuer}/protocol/openid-connect/auth`);
  for (const [name, value] of Object.entries({
    client_id: 'patient-app',
    redirect_uri: CALLBACK,
    response_type: 'code',
    scope: 'openid patient/*.read',
    kc_idp_hint: ALIAS,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(name, value);
  const response = await fetch(url, { redirect: 'manual' });
  if (response.status !== 303) throw new Error(`/auth answered ${response.status}`);
  return { location: response.headers.get('location')!, cookie: cookiesFrom(response), verifier };
}

/** Honest NemLog-in logins (signed Response, signed and encrypted assertion), prepared before they are timed. */
export async function prepareHonestLogins(baseUrl: string, idp: TestIdp, count: number): Promise<PreparedLogin[]> {
  const issuer = `${baseUrl}/realms/nemlogin`;
  const prepared: PreparedLogin[] = [];
  for (let i = 0; i < count; i++) {
    const { location, cookie, verifier } = await authorize(issuer);
    const { form } = await idp.respondTo(location, { attributes: citizenAttributes({ cpr: '0101011234' }), encrypt: true });
    prepared.push({ form, verifier, cookie });
  }
  return prepared;
}

/** ACS → code → token for each prepared login, `concurrency` at a time. */
export function runHonestLogins(
  name: string,
  baseUrl: string,
  idp: TestIdp,
  logins: PreparedLogin[],
  concurrency: number,
): Promise<LoadResult> {
  const issuer = `${baseUrl}/realms/nemlogin`;
  return runFlows(
    name,
    async (i) => {
      const login = logins[i]!;
      const back = await fetch(idp.acsUrl, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: login.cookie },
        body: new URLSearchParams(login.form).toString(),
      });
      const code = new URL(back.headers.get('location') ?? 'http://x/').searchParams.get('code');
      if (!code) throw new Error(`ACS answered ${back.status} without a code`);
      const token = await fetch(`${issuer}/protocol/openid-connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: CALLBACK,
          client_id: 'patient-app',
          code_verifier: login.verifier,
        }).toString(),
      });
      if (token.status !== 200) throw new Error(`token endpoint answered ${token.status}`);
    },
    { concurrency, seconds: 120, limit: logins.length },
  );
}

/**
 * The amplification Response: a genuine one from the test IdP with 16,000 empty elements added to
 * `samlp:Extensions` after signing (so its Response signature is broken), ~156 KB, base64.
 */
export async function amplificationResponse(baseUrl: string, idp: TestIdp): Promise<string> {
  const { location } = await authorize(`${baseUrl}/realms/nemlogin`);
  const extensions = `<samlp:Extensions>${'<samlp:e/>'.repeat(AMPLIFICATION_ELEMENTS)}</samlp:Extensions>`;
  const { samlResponse } = await idp.respondTo(location, {
    attributes: citizenAttributes({ cpr: '0101011234' }),
    tamper: (xml) => xml.replace('<samlp:Status>', `${extensions}<samlp:Status>`),
  });
  return samlResponse;
}

/**
 * The costliest Response found within every default shape limit (xml-prechecks.ts): a genuine one with
 * attribute values added after signing (broken signature) up to the element limit, the first of them
 * carrying namespace declarations up to the attribute limit. It passes the precheck, so each one costs
 * a worker node-saml's parse and canonicalisation before the signature refuses it.
 */
export async function withinLimitsResponse(baseUrl: string, idp: TestIdp): Promise<string> {
  const { location } = await authorize(`${baseUrl}/realms/nemlogin`);
  const { samlResponse, xml } = await idp.respondTo(location, {
    attributes: citizenAttributes({ cpr: '0101011234' }),
    tamper: (signed) =>
      signed.replace('</saml:AttributeStatement>', `${valuesUpToTheLimits(measureXml(signed))}</saml:AttributeStatement>`),
  });
  precheckXml(xml);
  return samlResponse;
}

/** An Attribute of values that take a Response of `shape` up to each default limit. */
function valuesUpToTheLimits(shape: XmlShape): string {
  const perElement = DEFAULT_XML_LIMITS.maxAttributesPerElement - 1;
  // The Attribute itself takes one element and one attribute of what is left.
  const values = DEFAULT_XML_LIMITS.maxElements - shape.elements - 1;
  const declarations = Math.floor((DEFAULT_XML_LIMITS.maxAttributes - shape.attributes - 1) / perElement);
  const namespaced = Array.from({ length: declarations }, (_, i) => {
    const names = Array.from({ length: perElement }, (_, j) => ` xmlns:p${j}="u${i}"`).join('');
    return `<saml:AttributeValue${names}>v</saml:AttributeValue>`;
  });
  const plain = Array.from({ length: values - declarations }, () => '<saml:AttributeValue>v</saml:AttributeValue>');
  return `<saml:Attribute Name="x">${[...namespaced, ...plain].join('')}</saml:Attribute>`;
}

/**
 * `attackers` anonymous clients, each keeping one amplification POST in flight until `stop()`: each
 * calls /auth (a refused Response uses up its login, so each POST needs a fresh one) and posts the
 * amplification Response with that login's RelayState and cookie. Times each POST to its answer.
 */
export function startAttack(baseUrl: string, idp: TestIdp, samlResponse: string, attackers: number) {
  const issuer = `${baseUrl}/realms/nemlogin`;
  const durations: number[] = [];
  const statuses: Record<string, number> = {};
  let stopped = false;
  const loops = Array.from({ length: attackers }, async () => {
    while (!stopped) {
      const { location, cookie } = await authorize(issuer);
      const relayState = new URL(location).searchParams.get('RelayState') ?? '';
      const started = performance.now();
      const answer = await fetch(idp.acsUrl, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ SAMLResponse: samlResponse, RelayState: relayState }).toString(),
      });
      await answer.arrayBuffer();
      durations.push(performance.now() - started);
      const error = new URL(answer.headers.get('location') ?? 'http://x/').searchParams.get('error');
      const key = `${answer.status}${error ? ` ${error}` : ''}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
  });
  return {
    async stop(): Promise<AttackResult> {
      stopped = true;
      await Promise.all(loops);
      durations.sort((a, b) => a - b);
      const at = (p: number) => Math.round(durations[Math.min(durations.length - 1, Math.floor(durations.length * p))] ?? 0);
      return { posts: durations.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: Math.round(durations.at(-1) ?? 0), statuses };
    },
  };
}
