import {
  DEFAULT_XML_LIMITS,
  decodeBase64Xml,
  LOGOUT_XML_LIMITS,
  logoutXmlLimits,
  MAX_LOGOUT_XML_BYTES,
  MAX_XML_BYTES,
  MAX_XML_REFERENCES,
  maxBase64Chars,
  measureXml,
  precheckXml,
  rootAttributeAsWritten,
  XmlPrecheckError,
} from './xml-prechecks.js';

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

describe('XML pre-checks (before any parser)', () => {
  it('passes an ordinary SAML document with an XML declaration', () => {
    expect(() => precheckXml('<?xml version="1.0" encoding="UTF-8"?><samlp:Response xmlns:samlp="urn:x"/>')).not.toThrow();
    expect(() => precheckXml('\uFEFF<?xml version="1.0"?><a/>')).not.toThrow();
  });

  it.each([
    ['a DOCTYPE', '<!DOCTYPE a><a/>', 'DTD'],
    ['a lower-case doctype', '<!doctype a><a/>', 'DTD'],
    ['an ENTITY declaration on its own', '<a><!ENTITY x "y"></a>', 'DTD'],
    ['a comment', '<a>x<!---->y</a>', 'comment'],
    ['a comment after the root element', '<a b="1"/><!-- trailing -->', 'comment'],
    ['a processing instruction', '<a><?php x ?></a>', 'processing instruction'],
    ['a second XML declaration', '<?xml version="1.0"?><a><?xml version="1.0"?></a>', 'processing instruction'],
    ['a NUL character', '<\u0000a/>', 'control character'],
    ['a vertical tab', '<a>\u000B</a>', 'control character'],
  ])('refuses %s', (_what, xml, reason) => {
    expect(() => precheckXml(xml)).toThrow(XmlPrecheckError);
    expect(() => precheckXml(xml)).toThrow(reason);
  });

  it('decodes base64 with line breaks (some IdPs wrap at 76 characters)', () => {
    const wrapped = b64('<a>hello</a>').replace(/(.{4})/g, '$1\r\n');
    expect(decodeBase64Xml(wrapped)).toBe('<a>hello</a>');
  });

  it.each([
    ['not base64', '<a/>', 'not base64'],
    ['empty', '', 'not base64'],
    ['truncated base64', 'PGE+Pg', 'not base64'],
    ['base64url', b64('<a>??>>></a>').replace(/\+/g, '-').replace(/\//g, '_'), 'not base64'],
    ['invalid UTF-8', b64(Buffer.from([0x3c, 0x61, 0xff, 0x3e])), 'not UTF-8'],
    ['UTF-16 without BOM', b64(Buffer.from('<a/>', 'utf16le')), 'control character'],
  ])('refuses %s', (_what, value, reason) => {
    expect(() => decodeBase64Xml(value)).toThrow(reason);
  });

  it('caps the base64 text before decoding and the decoded bytes after', () => {
    expect(() => decodeBase64Xml('A'.repeat(maxBase64Chars(MAX_XML_BYTES) + 1))).toThrow('too large');
    const justOver = b64(`<a>${' '.repeat(MAX_XML_BYTES - 6)}</a>`);
    expect(justOver.length).toBeLessThanOrEqual(maxBase64Chars(MAX_XML_BYTES));
    expect(() => decodeBase64Xml(justOver)).toThrow('too large');
    expect(() => decodeBase64Xml(b64(`<a>${' '.repeat(MAX_XML_BYTES - 7)}</a>`))).not.toThrow();
    expect(() => decodeBase64Xml(b64('<a>12345</a>'), 8)).toThrow('too large');
  });

  it('refuses a POSTed message with more entity or character references than a real one has', () => {
    const value = (references: number) => b64(`<a b="${'&lt;'.repeat(references - 1)}">&#x20AC;</a>`);
    expect(() => decodeBase64Xml(value(MAX_XML_REFERENCES))).not.toThrow();
    expect(() => decodeBase64Xml(value(MAX_XML_REFERENCES + 1))).toThrow('too many entity or character references');
    // The amplification a probe found: one attribute value of 47,000 `&lt;`, within the size limit.
    expect(() => decodeBase64Xml(b64(`<a b="${'&lt;'.repeat(47_000)}"/>`))).toThrow('too many entity or character references');
  });

  describe('shape limits (node-saml’s XPath work grows faster than the document)', () => {
    const response = (inner: string) => `<samlp:Response xmlns:samlp="urn:x" ID="_r">${inner}</samlp:Response>`;

    it('counts elements, depth and attributes in one pass over the text', () => {
      const xml = '<?xml version="1.0"?><a x="1" y=\'>\'><b/><c z="a=b"><![CDATA[<d><e/></d>]]>t &gt; u</c><f><g><h/></g></f></a>';
      expect(measureXml(xml)).toEqual({ elements: 6, depth: 4, attributesPerElement: 2, attributes: 3 });
      expect(measureXml(xml, 2).elements).toBe(3);
    });

    it('refuses the amplification Response: 16,000 empty elements in Extensions, within milliseconds', () => {
      const xml = response(`<samlp:Extensions>${'<samlp:e/>'.repeat(16_000)}</samlp:Extensions>`);
      const started = performance.now();
      expect(() => precheckXml(xml)).toThrow('too many elements');
      expect(performance.now() - started).toBeLessThan(200);
    });

    it.each([
      ['elements', response('<e/>'.repeat(DEFAULT_XML_LIMITS.maxElements)), 'too many elements'],
      ['depth', response('<e>'.repeat(DEFAULT_XML_LIMITS.maxDepth) + '</e>'.repeat(DEFAULT_XML_LIMITS.maxDepth)), 'nested too deeply'],
      [
        'depth, self-closing innermost',
        response('<e>'.repeat(DEFAULT_XML_LIMITS.maxDepth - 1) + '<e/>' + '</e>'.repeat(DEFAULT_XML_LIMITS.maxDepth - 1)),
        'nested too deeply',
      ],
      [
        'attributes',
        response(`<e ${Array.from({ length: DEFAULT_XML_LIMITS.maxAttributesPerElement + 1 }, (_, i) => `a${i}="v"`).join(' ')}/>`),
        'too many attributes on one element',
      ],
      [
        'attribute in all (namespace declarations counted)',
        response(
          Array.from(
            { length: DEFAULT_XML_LIMITS.maxAttributes / 20 },
            (_, i) => `<e${Array.from({ length: 20 }, (_, j) => ` xmlns:p${j}="u${i}"`).join('')}/>`,
          ).join(''),
        ),
        /^too many attributes$/,
      ],
    ])('refuses one %s over the default limit', (_what, xml, reason) => {
      expect(() => precheckXml(xml)).toThrow(XmlPrecheckError);
      expect(() => precheckXml(xml)).toThrow(reason);
    });

    it('accepts a document exactly at every limit, and applies the limits it is given', () => {
      const limits = { maxElements: 3, maxDepth: 2, maxAttributesPerElement: 2 };
      expect(() => precheckXml('<a p="1" q="2"><b/><c/></a>', limits)).not.toThrow();
      const total = { ...limits, maxAttributes: 3 };
      expect(() => precheckXml('<a p="1" q="2"><b r="3"/><c/></a>', total)).not.toThrow();
      expect(() => precheckXml('<a p="1" q="2"><b r="3"/><c s="4"/></a>', total)).toThrow(/^too many attributes$/);
      expect(() => precheckXml('<a><b/><c/><d/></a>', limits)).toThrow('too many elements');
      expect(() => precheckXml('<a><b><c/></b></a>', limits)).toThrow('nested too deeply');
      expect(() => precheckXml('<a p="1" q="2" r="3"/>', limits)).toThrow('too many attributes');
      expect(() => decodeBase64Xml(b64('<a><b/><c/><d/></a>'), MAX_XML_BYTES, limits)).toThrow('too many elements');
    });
  });

  describe('the logout profile (a LogoutRequest or LogoutResponse needs no pending login to reach the worker)', () => {
    /** The review's forged LogoutRequest: 700 × 30 empty attributes and a fake Signature over the root, 155 KB. */
    const forged = (count: number, attributes = 30) =>
      '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_abc" Version="2.0">' +
      '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:Reference URI="#_abc"/></ds:SignedInfo></ds:Signature>' +
      `<saml:NameID xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">x</saml:NameID>` +
      Array.from({ length: count }, () => `<samlp:Extensions ${Array.from({ length: attributes }, (_, k) => `a${k}=""`).join(' ')}/>`).join(
        '',
      ) +
      '</samlp:LogoutRequest>';

    it('refuses the forged LogoutRequest, and what a login Response’s limits let through', () => {
      const xml = forged(700);
      expect(Buffer.byteLength(xml)).toBeGreaterThan(150_000);
      expect(() => decodeBase64Xml(b64(xml), MAX_LOGOUT_XML_BYTES, LOGOUT_XML_LIMITS)).toThrow('message too large');
      expect(() => precheckXml(xml, LOGOUT_XML_LIMITS)).toThrow('too many elements');
      const withinResponseLimits = forged(300, 1);
      expect(() => precheckXml(withinResponseLimits, DEFAULT_XML_LIMITS)).not.toThrow();
      expect(() => precheckXml(withinResponseLimits, LOGOUT_XML_LIMITS)).toThrow('too many elements');
    });

    it('bounds the attributes of the whole document, not only of one element', () => {
      const xml = forged(20, 10);
      expect(measureXml(xml).elements).toBeLessThan(LOGOUT_XML_LIMITS.maxElements);
      expect(() => precheckXml(xml, LOGOUT_XML_LIMITS)).toThrow('too many attributes');
      expect(() => precheckXml(forged(10, 10), LOGOUT_XML_LIMITS)).not.toThrow();
    });

    it('is never looser than the configured limits', () => {
      expect(logoutXmlLimits(DEFAULT_XML_LIMITS)).toEqual(LOGOUT_XML_LIMITS);
      const tight = { maxElements: 10, maxDepth: 3, maxAttributesPerElement: 4, maxAttributes: 20 };
      expect(logoutXmlLimits(tight)).toEqual(tight);
    });
  });

  describe('rootAttributeAsWritten (a look-up before verification, never a verified value)', () => {
    it.each([
      ['<?xml version="1.0"?><p:R xmlns:p="urn:x" InResponseTo="_a1" ID="_b"><p:S InResponseTo="_c"/></p:R>', '_a1'],
      ["<R a='>' InResponseTo='_q'/>", '_q'],
      ['<R x:InResponseTo="_p" ID="_b"><S InResponseTo="_c"/></R>', undefined],
      ['<R ID="_b"><S InResponseTo="_c"/></R>', undefined],
    ])('%s: %s', (xml, expected) => {
      expect(rootAttributeAsWritten(xml, 'InResponseTo')).toBe(expected);
    });
  });

  describe('character references (XML 1.0 §2.2 Char, §4.1 WFC: Legal Character)', () => {
    it.each(['&#0;', '&#1;', '&#x0;', '&#x1F;', '&#xFFFE;', '&#xffff;', '&#xD800;', '&#57343;', '&#x110000;', '&#99999999999999999999;'])(
      'refuses %s',
      (reference) => {
        expect(() => precheckXml(`<a>x${reference}y</a>`)).toThrow('character reference');
        expect(() => precheckXml(`<a b="${reference}"/>`)).toThrow('character reference');
      },
    );

    it.each(['&#9;', '&#xA;', '&#13;', '&#32;', '&#x20AC;', '&#xD7FF;', '&#xE000;', '&#xFFFD;', '&#x10000;', '&#128512;', '&#x10FFFF;'])(
      'accepts %s',
      (reference) => {
        expect(() => precheckXml(`<a b="${reference}">${reference}</a>`)).not.toThrow();
      },
    );
  });
});
