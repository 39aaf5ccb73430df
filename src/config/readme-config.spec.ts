import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { configProblems as problemsOf } from '../../test/support/config-problems.js';

/** The README's YAML examples, in order: what an operator copies into a config file. */
const blocks = [...readFileSync('README.md', 'utf8').matchAll(/^( *)```yaml\n([\s\S]*?)^ *```/gm)].map(([, indent, body]) =>
  // A block inside a list item is indented with it.
  body!.replace(new RegExp(`^${indent!}`, 'gm'), ''),
);

/** The variables the examples name, so that their `${VAR}` resolve as on a configured machine. */
const ENV = {
  FEDERATION_KEY_ENCRYPTION_KEY: 'an-encryption-key-of-more-than-32-characters',
  FHIR_TOKEN: 'fhir-token',
  PORTAL_SECRET: 'a-portal-secret-of-more-than-32-characters',
  PORTAL_OLD_SECRET: 'the-portal-secret-being-replaced-of-more-than-32-characters',
  AUDITOR_SECRET: 'an-auditor-secret-of-more-than-32-characters',
};

describe("the README's configuration examples", () => {
  it('are there to check', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
  });

  it.each(blocks.map((block, i) => [i, block]))('block %i is YAML', (_i, block) => {
    expect(() => parse(block as string)).not.toThrow();
  });

  it('the full example under Configuration is a config the service takes', () => {
    const full = blocks.find((block) => block.startsWith('environment:'));
    expect(problemsOf(parse(full!), ENV)).toEqual([]);
  });
});
