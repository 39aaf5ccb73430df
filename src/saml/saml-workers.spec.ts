import { Injectable, type BeforeApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { fillSamlQueue } from '../../test/support/saml/full-saml-queue.js';
import { SAML_FIXTURES } from '../../test/support/saml/saml-fixtures.js';
import { DEFAULT_SAML_OPTIONS, SAML_OPTIONS } from './saml-options.js';
import { SamlWorkers } from './saml-workers.js';
import { SamlBusyError } from './saml.errors.js';

const SETTINGS = {
  spEntityId: 'https://sp.test',
  acsUrl: 'https://sp.test/acs',
  ssoUrl: 'https://idp.test/sso',
  idpCertificates: [SAML_FIXTURES.idpSigningCertificate],
  spSigningKey: SAML_FIXTURES.spSigningKey,
};
/** Refused by the worker at once, answered all the same: enough to show the pool works. */
const task = { settings: SETTINGS, xml: '<x/>', xmlLimits: DEFAULT_SAML_OPTIONS.xmlLimits };
const poolOf = (workers: SamlWorkers) => (workers as unknown as { pool?: object }).pool;

/**
 * Stands in for the HTTP requests still under way when the application closes: Nest runs every
 * module's destroy hook, then every before-shutdown hook, and only then closes the HTTP server
 * (which waits for those requests) and runs the shutdown hooks.
 */
@Injectable()
class RequestsUnderWay implements OnModuleDestroy, BeforeApplicationShutdown {
  /** At each hook: whether the task was answered, and the pool that answered it. */
  readonly seen = new Map<string, { answered: boolean; pool: object | undefined }>();

  constructor(private readonly workers: SamlWorkers) {}

  async onModuleDestroy(): Promise<void> {
    await this.validate('destroy');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.validate('before shutdown');
  }

  private async validate(hook: string): Promise<void> {
    const result = await this.workers.validateResponse(task);
    this.seen.set(hook, { answered: result.ok === false, pool: poolOf(this.workers) });
  }
}

describe('SamlWorkers at shutdown', () => {
  it('keeps its pool through every hook Nest runs before the HTTP server closes, then closes it and refuses more', async () => {
    const moduleRef = await Test.createTestingModule({
      providers: [SamlWorkers, RequestsUnderWay, { provide: SAML_OPTIONS, useValue: { ...DEFAULT_SAML_OPTIONS, workers: 1 } }],
    }).compile();
    await moduleRef.init();
    const workers = moduleRef.get(SamlWorkers);
    const underWay = moduleRef.get(RequestsUnderWay);
    await expect(workers.validateResponse(task)).resolves.toMatchObject({ ok: false });
    const pool = poolOf(workers);

    await moduleRef.close();

    // Not a pool closed under the requests and another started behind it: the same one, answering.
    expect(pool).toBeDefined();
    expect(Object.fromEntries(underWay.seen)).toEqual({
      destroy: { answered: true, pool },
      'before shutdown': { answered: true, pool },
    });
    expect(poolOf(workers)).toBeUndefined();
    await expect(workers.validateResponse(task)).rejects.toBeInstanceOf(SamlBusyError);
    expect(poolOf(workers)).toBeUndefined();
  });
});

describe('SamlWorkers with its queue full', () => {
  it('sheds what anyone can ask for, but still signs the LogoutResponse owed to a verified IdP LogoutRequest', async () => {
    const workers = new SamlWorkers({ ...DEFAULT_SAML_OPTIONS, workers: 1, maxQueue: 1 });
    try {
      const release = fillSamlQueue(workers);
      await expect(workers.validateResponse(task)).rejects.toBeInstanceOf(SamlBusyError);
      await expect(workers.authnRequestUrl({ settings: SETTINGS, requestId: '_a', relayState: 'r' })).rejects.toBeInstanceOf(SamlBusyError);
      const reply = await workers.logoutResponse({
        settings: SETTINGS,
        binding: 'redirect',
        id: '_owed',
        issueInstant: new Date().toISOString(),
        destination: 'https://idp.test/slo',
        inResponseTo: '_idp-request',
        status: { code: 'urn:oasis:names:tc:SAML:2.0:status:Success' },
        relayState: 'idp-relay-state',
      });
      expect(reply).toMatchObject({
        binding: 'redirect',
        url: expect.stringMatching(/^https:\/\/idp\.test\/slo\?SAMLResponse=.+&Signature=/),
      });
      release();
      await expect(workers.validateResponse(task)).resolves.toMatchObject({ ok: false });
    } finally {
      await workers.close();
    }
  });
});

describe('SamlWorkers: an IdP logout and the logins each have an allowance of their own', () => {
  const logoutTask = { settings: SETTINGS, binding: 'post' as const, xml: '<x/>' };

  it('still verifies an IdP logout message while the logins fill theirs (a flood of ACS posts)', async () => {
    const workers = new SamlWorkers({ ...DEFAULT_SAML_OPTIONS, workers: 1, maxQueue: 1, maxLogoutQueue: 1 });
    try {
      const release = fillSamlQueue(workers, 'login');
      await expect(workers.validateResponse(task)).rejects.toBeInstanceOf(SamlBusyError);
      await expect(workers.verifyLogout(logoutTask)).resolves.toMatchObject({ ok: false });
      release();
    } finally {
      await workers.close();
    }
  });

  it('still validates a login while forged logout messages fill theirs', async () => {
    const workers = new SamlWorkers({ ...DEFAULT_SAML_OPTIONS, workers: 1, maxQueue: 1, maxLogoutQueue: 1 });
    try {
      const release = fillSamlQueue(workers, 'logout');
      await expect(workers.verifyLogout(logoutTask)).rejects.toBeInstanceOf(SamlBusyError);
      await expect(workers.validateResponse(task)).resolves.toMatchObject({ ok: false });
      release();
      await expect(workers.verifyLogout(logoutTask)).resolves.toMatchObject({ ok: false });
    } finally {
      await workers.close();
    }
  });
});
