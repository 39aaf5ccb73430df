import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { PUBLISHED_DEMO_SECRET_DIGESTS } from './published-demo-secrets.js';

describe('the published demo secrets', () => {
  it('are the digests of exactly the secrets the demo config gives its clients by default', () => {
    const demo = parse(readFileSync('fixtures/config/demo.yaml', 'utf8')) as {
      realms: { clients: { clientId: string; secret?: string }[] }[];
    };
    const defaults = demo.realms
      .flatMap((realm) => realm.clients)
      .flatMap(({ clientId, secret }) => {
        const fallback = /^\$\{[A-Z_]+:-(.+)\}$/.exec(secret ?? '')?.[1];
        return fallback === undefined ? [] : [[createHash('sha256').update(fallback).digest('hex'), clientId] as const];
      });
    expect(defaults.length).toBeGreaterThan(0);
    expect(new Map(defaults)).toEqual(PUBLISHED_DEMO_SECRET_DIGESTS);
  });
});
