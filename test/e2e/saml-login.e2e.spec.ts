import { inflateRawSync } from 'node:zlib';
import { SamlWorkers } from '../../src/saml/saml-workers.js';
import { SamlStatusError, type SamlService } from '../../src/saml/saml.service.js';
import { createSamlHarness, PINNED_TIME, type SamlHarness } from '../support/saml/saml-harness.js';
import { bsnAttributes, citizenAttributes, clinicianAttributes } from '../support/saml/saml-attributes.js';
import { expectRejected } from '../support/saml/saml-expect.js';
import { modifyAttribute } from '../support/saml/tamper.js';
import { TestIdp } from '../support/saml/test-idp.js';

/** Happy paths, one per attribute profile, through the default worker pool. */
describe('SAML login (service level, worker pool)', () => {
  let h: SamlHarness;
  const start = (realm: string, alias: string, relayState = `tx-${Math.random().toString(36).slice(2)}`) =>
    h.saml.authnRequestUrl(h.realm(realm), alias, relayState);

  beforeAll(async () => {
    h = await createSamlHarness();
  });
  afterAll(() => h.close());

  it('runs node-saml on worker threads by default (piscina, started on first use)', async () => {
    const workers = (h.saml as unknown as { workers: SamlWorkers }).workers;
    expect(workers.pooled).toBe(true);
    await start('nemlogin', 'nemlog-in');
    const pool = (workers as unknown as { pool: { threads: unknown[]; completed: number } }).pool;
    expect(pool.threads).toHaveLength(2);
    expect(pool.completed).toBe(1);
  });

  it('sends a signed AuthnRequest that the independent IdP verifies, asking for the realm minimum LoA', async () => {
    const location = await start('nemlogin', 'nemlog-in', 'tx-authn-request');
    expect(location.startsWith(`${h.idps.nemlogin.ssoUrl}?`)).toBe(true);
    const request = await h.idps.nemlogin.parseAuthnRequest(location);
    expect(request).toMatchObject({
      acsUrl: 'https://federation.test/realms/nemlogin/broker/nemlog-in/endpoint',
      issuer: 'https://federation.test/realms/nemlogin',
      destination: h.idps.nemlogin.ssoUrl,
      relayState: 'tx-authn-request',
    });
    expect(request.id).toMatch(/^_[0-9a-f]{40}$/);
    const url = new URL(location);
    expect(url.searchParams.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    expect(xml).toContain('Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"');
    expect(xml).toContain('Comparison="minimum"');
    expect(xml).toContain('https://data.gov.dk/concept/core/nsis/loa/Substantial');
    const { rows } = await h.db.query<{ realm: string; idp_alias: string; relay_state: string }>(
      'SELECT realm, idp_alias, relay_state FROM saml_pending_requests WHERE request_id = $1',
      [request.id],
    );
    expect(rows).toEqual([{ realm: 'nemlogin', idp_alias: 'nemlog-in', relay_state: 'tx-authn-request' }]);
  });

  it('a signed AuthnRequest with a tampered query fails the IdP signature check', async () => {
    const location = await start('nemlogin', 'nemlog-in', 'tx-original');
    await expect(h.idps.nemlogin.parseAuthnRequest(location.replace('RelayState=tx-original', 'RelayState=tx-forged'))).rejects.toThrow();
  });

  it('oiosaml3-citizen: signed and encrypted assertion → citizen with CPR, names, LoA and session data', async () => {
    const location = await start('nemlogin', 'nemlog-in');
    const response = await h.idps.nemlogin.respondTo(location, {
      now: h.clock.now(),
      attributes: citizenAttributes({ loa: 'High' }),
      encrypt: true,
    });
    expect(response.xml).toContain('EncryptedAssertion');
    expect(response.xml).not.toContain('cprNumber');
    const login = await h.saml.consume(h.realm('nemlogin'), 'nemlog-in', response.form);
    expect(login).toEqual({
      relayState: response.relayState,
      principal: {
        kind: 'citizen',
        realm: 'nemlogin',
        idpAlias: 'nemlog-in',
        externalId: 'https://data.gov.dk/model/core/eid/person/uuid/6a3b0e0c-0d1f-4c2a-9f3e-1b2c3d4e5f60',
        name: { given: ['Karen'], family: 'Jensen' },
        loa: 'High',
        ssn: { system: 'urn:oid:1.2.208.176.1.2', value: '0101701234' },
      },
      sessionIndex: expect.stringMatching(/^_/),
      // The NameID as the IdP sent it: what a LogoutRequest names (SAML Profiles §4.4.4.1).
      nameId: {
        format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
        value: 'https://data.gov.dk/model/core/eid/person/uuid/6a3b0e0c-0d1f-4c2a-9f3e-1b2c3d4e5f60',
        nameQualifier: undefined,
        spNameQualifier: undefined,
      },
      sessionNotOnOrAfter: new Date(PINNED_TIME.getTime() + 3600_000),
      authnInstant: PINNED_TIME,
      issuedAt: PINNED_TIME,
    });
  });

  it('accepts an assertion signed only on the assertion, and one signed on both', async () => {
    for (const sign of ['assertion', 'both'] as const) {
      const response = await h.idps.nemlogin.respondTo(await start('nemlogin', 'nemlog-in'), {
        now: h.clock.now(),
        attributes: citizenAttributes(),
        sign,
      });
      await expect(h.saml.consume(h.realm('nemlogin'), 'nemlog-in', response.form)).resolves.toMatchObject({
        principal: { kind: 'citizen' },
      });
    }
  });

  it('dk-clinician: user id, CPR and privileges → clinician with organisations, care teams and roles', async () => {
    const response = await h.idps.ehealth.respondTo(await start('ehealth', 'clinician-idp'), {
      now: h.clock.now(),
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName',
      nameId: 'CN=Hanne Hansen',
      attributes: clinicianAttributes(),
    });
    const login = await h.saml.consume(h.realm('ehealth'), 'clinician-idp', response.form);
    expect(login.principal).toEqual({
      kind: 'clinician',
      realm: 'ehealth',
      idpAlias: 'clinician-idp',
      externalId: 'CVR:12345678-RID:98765',
      name: { text: 'Dr. Hanne Hansen' },
      identifiers: [
        { system: 'urn:dk:sundhed:ehealth:userid', value: 'CVR:12345678-RID:98765' },
        { system: 'urn:oid:1.2.208.176.1.2', value: '0202801234' },
      ],
      organisations: [{ identifier: { system: 'urn:oid:1.2.208.176.1.1', value: '123456' }, roles: ['urn:dk:sundhed:role:doctor'] }],
      careTeams: [{ id: 'ct-42', roles: ['urn:dk:sundhed:role:doctor', 'urn:dk:sundhed:role:careteam-admin'] }],
    });
  });

  it('nl-citizen: BSN → citizen with the BSN naming system, NameID as external id', async () => {
    const response = await h.idps.nl.respondTo(await start('nl', 'digid'), {
      now: h.clock.now(),
      attributes: bsnAttributes(),
      nameId: 'digid-pseudonym-1',
      encrypt: true,
    });
    const login = await h.saml.consume(h.realm('nl'), 'digid', response.form);
    expect(login.principal).toEqual({
      kind: 'citizen',
      realm: 'nl',
      idpAlias: 'digid',
      externalId: 'digid-pseudonym-1',
      // DigiD states its level in the AuthnContextClassRef, which a citizen realm now checks (issue 12).
      loa: 'Substantial',
      ssn: { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '111222333' },
    });
  });

  it('generic: attributes named by the config map; every attribute passed on; signed with the second of two certificates (rollover)', async () => {
    const attributes = {
      'urn:oid:0.9.2342.19200300.100.1.1': 'emp-007',
      'urn:oid:2.5.4.42': 'Sven',
      'urn:oid:2.5.4.4': 'Svendsen',
      'urn:oid:2.5.4.3': 'Sven Svendsen',
      'urn:example:groups': ['support', 'ops'],
    };
    const response = await h.idps.ssl.respondTo(await start('ssl', 'ssl-idp'), {
      now: h.clock.now(),
      attributes,
      nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
      nameId: 'transient-1',
    });
    const login = await h.saml.consume(h.realm('ssl'), 'ssl-idp', response.form);
    expect(login.principal).toEqual({
      kind: 'generic',
      realm: 'ssl',
      idpAlias: 'ssl-idp',
      externalId: 'emp-007',
      name: { given: ['Sven'], family: 'Svendsen', text: 'Sven Svendsen' },
      attributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])),
    });
  });

  it('publishes SP metadata an independent IdP can consume (signing and encryption certificates, ACS)', async () => {
    const metadata = h.saml.metadata(h.realm('nemlogin'), 'nemlog-in');
    expect(metadata).toContain('entityID="https://federation.test/realms/nemlogin"');
    expect(metadata).toContain('AuthnRequestsSigned="true"');
    expect(metadata).toContain('WantAssertionsSigned="true"');
    expect(metadata).toContain('use="signing"');
    expect(metadata).toContain('use="encryption"');
    expect(metadata).toContain('Location="https://federation.test/realms/nemlogin/broker/nemlog-in/endpoint"');
    expect(h.saml.metadata(h.realm('ehealth'), 'clinician-idp')).not.toContain('use="encryption"');
    const idp = await TestIdp.create({
      realmIssuer: 'https://federation.test/realms/nemlogin',
      alias: 'nemlog-in',
      entityId: 'https://saml.nemlog-in.test',
      spMetadata: metadata,
    });
    const response = await idp.respondTo(await start('nemlogin', 'nemlog-in'), {
      now: h.clock.now(),
      attributes: citizenAttributes(),
      encrypt: true,
    });
    await expect(h.saml.consume(h.realm('nemlogin'), 'nemlog-in', response.form)).resolves.toMatchObject({
      principal: { kind: 'citizen' },
    });
  });

  it('reports refusals from the worker threads with their reason, and status responses', async () => {
    const tampered = await h.idps.nemlogin.respondTo(await start('nemlogin', 'nemlog-in'), {
      now: h.clock.now(),
      attributes: citizenAttributes(),
      sign: 'assertion',
      tamper: modifyAttribute('https://data.gov.dk/model/core/eid/cprNumber', '3112999999'),
    });
    await expectRejected(h.saml.consume(h.realm('nemlogin'), 'nemlog-in', tampered.form), 'Invalid signature');
    const cancelled = await h.idps.nemlogin.respondTo(await start('nemlogin', 'nemlog-in'), {
      now: h.clock.now(),
      status: { code: 'urn:oasis:names:tc:SAML:2.0:status:Responder', subCode: 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed' },
    });
    await expect(h.saml.consume(h.realm('nemlogin'), 'nemlog-in', cancelled.form)).rejects.toBeInstanceOf(SamlStatusError);
  });

  it('a login started on one instance completes on another (pending requests live in the database)', async () => {
    const other: SamlService = await h.secondInstance();
    const response = await h.idps.nemlogin.respondTo(await start('nemlogin', 'nemlog-in'), {
      now: h.clock.now(),
      attributes: citizenAttributes(),
    });
    await expect(other.consume(h.realm('nemlogin'), 'nemlog-in', response.form)).resolves.toMatchObject({
      relayState: response.relayState,
    });
  });
});
