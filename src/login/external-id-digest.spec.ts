import type { Config } from '../config/config.schema.js';
import { EXTERNAL_ID_DIGEST_PREFIX } from '../storage/user.repository.js';
import { ExternalIdDigest } from './external-id-digest.js';

const keyed = (encryptionKey: string) => new ExternalIdDigest({ keys: { encryptionKey } } as Config);

describe('ExternalIdDigest', () => {
  const digests = keyed('test-only-key-encryption-key-0123456789');

  it('gives a stable keyed digest in place of the identifier, and keeps the identifier only to find an older row', () => {
    const identity = digests.identity('nl', 'digid', 's00000000:999911120');
    expect(identity.digest).toMatch(new RegExp(`^${EXTERNAL_ID_DIGEST_PREFIX}[A-Za-z0-9_-]{43}$`));
    expect(identity.digest).not.toMatch(/\d{9}/);
    expect(identity.legacy).toBe('s00000000:999911120');
    expect(digests.identity('nl', 'digid', 's00000000:999911120')).toEqual(identity);
  });

  it('differs by identifier, IdP, realm and key', () => {
    const digest = (realm: string, alias: string, id: string, by = digests) => by.identity(realm, alias, id).digest;
    const all = [
      digest('nl', 'digid', 's00000000:999911120'),
      digest('nl', 'digid', 's00000000:999911121'),
      digest('nl', 'eherkenning', 's00000000:999911120'),
      digest('nl2', 'digid', 's00000000:999911120'),
      digest('nl', 'digid', 's00000000:999911120', keyed('another-test-only-key-encryption-key-01')),
      // The parts are kept apart: a realm and alias that run together differently are another identity.
      digest('nl', 'digids', '00000000:999911120'),
    ];
    expect(new Set(all).size).toBe(all.length);
  });
});
