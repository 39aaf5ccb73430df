import { parseConfig } from '../config/config.loader.js';
import { minimumLoa } from './minimum-loa.js';
import { realmFromConfig, type Realm } from './realm.js';

function realm(minimum?: string): Realm {
  const config = parseConfig(
    {
      environment: 'test',
      publicUrl: 'https://sp.test',
      keys: { encryptionKey: 'test-only-key-encryption-key-0123456789' },
      realms: [{ name: 'r', ...(minimum ? { minimumLoa: minimum } : {}) }],
    },
    'minimum LoA test',
    {},
  );
  return realmFromConfig(config.publicUrl, config.realms[0]);
}

describe('minimum level of assurance', () => {
  it('is Substantial for citizens when the realm names none (fail closed)', () => {
    expect(minimumLoa(realm(), 'citizen')).toBe('Substantial');
  });

  it('is none for clinicians and suppliers when the realm names none', () => {
    expect(minimumLoa(realm(), 'clinician')).toBeUndefined();
    expect(minimumLoa(realm(), 'generic')).toBeUndefined();
  });

  it("is the realm's own when it names one, Low included", () => {
    expect(minimumLoa(realm('Low'), 'citizen')).toBe('Low');
    expect(minimumLoa(realm('High'), 'citizen')).toBe('High');
    expect(minimumLoa(realm('High'), 'clinician')).toBe('High');
  });
});
