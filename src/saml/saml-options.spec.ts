import { parseConfig } from '../config/config.loader.js';
import { DEFAULT_SAML_OPTIONS, samlOptionsFromConfig } from './saml-options.js';

const config = (saml?: unknown) =>
  parseConfig(
    { environment: 'test', publicUrl: 'https://auth.example', keys: { encryptionKey: 'x'.repeat(32) }, saml, realms: [{ name: 'r' }] },
    'test',
    {},
  );

describe('SAML options from the config', () => {
  it('are the code defaults when the config sets nothing (the two lists of defaults agree)', () => {
    expect(samlOptionsFromConfig(config())).toEqual(DEFAULT_SAML_OPTIONS);
  });

  it('take the deadline, the queue bounds and the XML limits from the config', () => {
    const options = samlOptionsFromConfig(
      config({ validationTimeoutMs: 750, maxQueue: 5, maxLogoutQueue: 3, xmlLimits: { maxDepth: 16 } }),
    );
    expect(options).toMatchObject({
      validationTimeoutMs: 750,
      maxQueue: 5,
      maxLogoutQueue: 3,
      xmlLimits: { maxElements: 500, maxDepth: 16, maxAttributes: 500 },
    });
    expect(options.workers).toBe(DEFAULT_SAML_OPTIONS.workers);
  });
});
