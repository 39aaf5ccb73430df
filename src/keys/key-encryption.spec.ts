import { KeyEncryption } from './key-encryption.js';

describe('KeyEncryption', () => {
  const encryption = new KeyEncryption('a-test-encryption-key-of-32-characters!');

  it('round-trips a value bound to its key id', () => {
    const sealed = encryption.encrypt('{"d":"secret"}', 'kid-1');
    expect(sealed).not.toContain('secret');
    expect(encryption.decrypt(sealed, 'kid-1')).toBe('{"d":"secret"}');
  });

  it('refuses a ciphertext moved to another key id', () => {
    const sealed = encryption.encrypt('x', 'kid-1');
    expect(() => encryption.decrypt(sealed, 'kid-2')).toThrow(/cannot decrypt/);
  });

  it('derives a separate key per purpose', () => {
    const sealed = encryption.encrypt('x', 'kid-1');
    expect(() => new KeyEncryption('a-test-encryption-key-of-32-characters!', 'national-identifier/v1').decrypt(sealed, 'kid-1')).toThrow(
      /cannot decrypt/,
    );
  });

  it('refuses to decrypt with another encryption key', () => {
    const sealed = encryption.encrypt('x', 'kid-1');
    expect(() => new KeyEncryption('another-test-encryption-key-32-chars!!').decrypt(sealed, 'kid-1')).toThrow(/keys.encryptionKey/);
  });

  it('refuses a tampered ciphertext', () => {
    const [v, iv, tag, data] = encryption.encrypt('hello world', 'kid-1').split('.');
    const flipped = Buffer.from(data!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => encryption.decrypt([v, iv, tag, flipped.toString('base64url')].join('.'), 'kid-1')).toThrow();
  });
});
