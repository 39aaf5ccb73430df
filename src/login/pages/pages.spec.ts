import { renderChooserPage } from './chooser.page.js';
import { renderErrorPage } from './error.page.js';
import { renderMockLoginPage } from './mock-login.page.js';
import { defaultPageContext, type PageContext } from './page-context.js';

function context(overrides: Partial<PageContext>): PageContext {
  return { ...defaultPageContext('req-1'), ...overrides };
}

describe('the pages a person sees', () => {
  it('name each IdP by its display name or its kind, never by its alias', () => {
    const names: Record<string, string> = { 'nemlog-in': 'MitID', digid: 'DigiD' };
    const html = renderChooserPage([
      { alias: 'nemlog-in', href: 'https://as.example/a' },
      { alias: 'digid', href: 'https://as.example/b' },
    ])(context({ idpName: (alias) => names[alias]! }));
    expect(html).toContain('<a class="button" href="https://as.example/a">MitID</a>');
    expect(html).toContain('>DigiD</a>');
    expect(html).not.toMatch(/>nemlog-in</);
  });

  it('show the request reference on every error page, so support can find its log line', () => {
    const html = renderErrorPage({ status: 400, key: 'login_expired' })(context({ reference: 'trace-abc.123' }));
    expect(html).toContain('<h1>This login has expired</h1>');
    expect(html).toContain('<code>trace-abc.123</code>');
  });

  it('carry the operator, logo and privacy statement, escaped', () => {
    const html = renderErrorPage({ status: 500, key: 'server_error' })(
      context({
        branding: {
          operatorName: 'Region <Syd> & Co',
          logoUrl: 'https://cdn.example/logo.svg',
          privacyUrl: 'https://op.example/privacy?a=1&b=2',
        },
      }),
    );
    expect(html).toContain('<header><img src="https://cdn.example/logo.svg" alt=""><span>Region &#60;Syd&#62; &#38; Co</span></header>');
    expect(html).toContain('<footer><a href="https://op.example/privacy?a=1&#38;b=2">Privacy</a></footer>');
    expect(html).not.toContain('<script');
  });

  it('escape what comes from the config and the request', () => {
    const html = renderMockLoginPage('https://as.example/mock?x="1"', 'tx<1>', [
      { username: 'u', kind: 'citizen', name: { text: '<img src=x onerror=alert(1)>' } } as never,
    ])(defaultPageContext());
    expect(html).toContain('action="https://as.example/mock?x=&#34;1&#34;"');
    expect(html).toContain('value="tx&#60;1&#62;"');
    expect(html).not.toContain('<img src=x');
  });
});
