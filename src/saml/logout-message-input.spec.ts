import { decodeLogoutMessage } from './logout-message-input.js';
import { SamlRejectedError } from './saml.errors.js';
import { DEFAULT_XML_LIMITS } from './xml-prechecks.js';

const XML = '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" Version="2.0"/>';
const b64 = Buffer.from(XML).toString('base64');
const post = (field: 'SAMLRequest' | 'SAMLResponse', relayState: string) =>
  decodeLogoutMessage({ binding: 'post', form: { [field]: b64, RelayState: relayState } }, DEFAULT_XML_LIMITS);

/**
 * SAML Bindings §3.4.3 bounds a sender's RelayState at 80 bytes. A LogoutResponse's is ours coming
 * back, so a longer one is refused; an IdP's LogoutRequest beyond it still ends the person's sessions
 * and has its RelayState echoed, up to 1 KB.
 */
describe('decodeLogoutMessage: RelayState', () => {
  it('takes an IdP LogoutRequest with a RelayState over 80 bytes, up to 1 KB, as it came', () => {
    expect(post('SAMLRequest', 'r'.repeat(81))).toMatchObject({ xml: XML, relayState: 'r'.repeat(81), parameter: 'SAMLRequest' });
    expect(post('SAMLRequest', 'r'.repeat(1024)).relayState).toHaveLength(1024);
  });

  it('refuses a LogoutRequest whose RelayState is over 1 KB, and a LogoutResponse whose is over 80 bytes', () => {
    expect(() => post('SAMLRequest', 'r'.repeat(1025))).toThrow(new SamlRejectedError('RelayState too long'));
    expect(post('SAMLResponse', 'r'.repeat(80)).relayState).toHaveLength(80);
    expect(() => post('SAMLResponse', 'r'.repeat(81))).toThrow(new SamlRejectedError('RelayState too long'));
  });
});
