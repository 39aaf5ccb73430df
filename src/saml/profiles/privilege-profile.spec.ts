import { parsePrivilegeProfile, PrivilegeProfileError, SOR_SYSTEM } from './privilege-profile.js';

const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
const list = (groups: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile">${groups}</bpp:PrivilegeList>`;

describe('basic privilege profile', () => {
  it('maps SOR scopes to organisations and care-team scopes to care teams, with their roles', () => {
    const profile = parsePrivilegeProfile([
      b64(
        list(
          '<PrivilegeGroup Scope="urn:dk:gov:saml:sorIdentifier:123456"><Privilege>urn:dk:sundhed:role:doctor</Privilege></PrivilegeGroup>' +
            '<PrivilegeGroup Scope="urn:dk:sundhed:ehealth:careteam:ct-1"><Privilege>urn:dk:sundhed:role:nurse</Privilege><Privilege> urn:dk:sundhed:role:admin </Privilege></PrivilegeGroup>',
        ),
      ),
    ]);
    expect(profile).toEqual({
      organisations: [{ identifier: { system: SOR_SYSTEM, value: '123456' }, roles: ['urn:dk:sundhed:role:doctor'] }],
      careTeams: [{ id: 'ct-1', roles: ['urn:dk:sundhed:role:nurse', 'urn:dk:sundhed:role:admin'] }],
    });
  });

  it('merges groups of one scope across values, without duplicate roles', () => {
    const group = (role: string) =>
      `<PrivilegeGroup Scope="urn:dk:gov:saml:sorIdentifier:1"><Privilege>${role}</Privilege></PrivilegeGroup>`;
    const profile = parsePrivilegeProfile([b64(list(group('a') + group('b'))), b64(list(group('a') + group('c')))]);
    expect(profile.organisations).toEqual([{ identifier: { system: SOR_SYSTEM, value: '1' }, roles: ['a', 'b', 'c'] }]);
  });

  it('ignores CVR and unknown scopes, empty privileges and other elements', () => {
    const profile = parsePrivilegeProfile([
      b64(
        list(
          '<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:12345678"><Privilege>x</Privilege></PrivilegeGroup>' +
            '<PrivilegeGroup Scope="urn:example:other:1"><Privilege>y</Privilege></PrivilegeGroup>' +
            '<PrivilegeGroup Scope="urn:dk:sundhed:ehealth:careteam:7"><Privilege> </Privilege><Constraint Name="n">v</Constraint></PrivilegeGroup>',
        ),
      ),
    ]);
    expect(profile).toEqual({ organisations: [], careTeams: [{ id: '7', roles: [] }] });
  });

  it('accepts qualified children too', () => {
    const xml =
      '<bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile"><bpp:PrivilegeGroup Scope="urn:dk:gov:saml:sorIdentifier:9"><bpp:Privilege>r</bpp:Privilege></bpp:PrivilegeGroup></bpp:PrivilegeList>';
    expect(parsePrivilegeProfile([b64(xml)]).organisations).toHaveLength(1);
  });

  it.each([
    ['a DOCTYPE', b64(`<!DOCTYPE x [<!ENTITY e "y">]>${list('')}`), 'DTD'],
    ['a comment', b64(list('<!-- x -->')), 'comment'],
    [
      'an oversized value',
      b64(list(`<PrivilegeGroup Scope="urn:x">${'<Privilege>r</Privilege>'.repeat(4000)}</PrivilegeGroup>`)),
      'too large',
    ],
    ['not base64', '%%%', 'not base64'],
    [
      'malformed XML',
      b64('<bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile"><PrivilegeGroup>'),
      'PrivilegeList',
    ],
    ['another root element', b64('<PrivilegeList/>'), 'PrivilegeList'],
    ['a malformed scope id', b64(list('<PrivilegeGroup Scope="urn:dk:sundhed:ehealth:careteam:a b"/>')), 'scope'],
  ])('refuses %s', (_what, value, reason) => {
    expect(() => parsePrivilegeProfile([value])).toThrow(PrivilegeProfileError);
    expect(() => parsePrivilegeProfile([value])).toThrow(reason);
  });
});
