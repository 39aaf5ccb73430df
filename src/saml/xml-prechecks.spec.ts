import { decodeBase64Xml, MAX_XML_BYTES, maxBase64Chars, precheckXml, XmlPrecheckError } from './xml-prechecks.js';

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
});
