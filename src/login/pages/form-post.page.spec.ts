import { createHash } from 'node:crypto';
import { renderErrorPage } from './error.page.js';
import { FORM_POST_CSP, renderFormPostPage } from './form-post.page.js';
import { defaultPageContext } from './page-context.js';

describe('form_post pages (OAuth 2.0 Form Post Response Mode §2)', () => {
  it('posts every field, escaped, to the redirect URI, and runs only the script its CSP hash allows', () => {
    const html = renderFormPostPage('https://app.example/cb?a=1&b=2', { code: 'c"1', state: '<s>' })(defaultPageContext());
    expect(html).toContain('<form method="post" action="https://app.example/cb?a=1&#38;b=2">');
    expect(html).toContain('<input type="hidden" name="code" value="c&#34;1">');
    expect(html).toContain('<input type="hidden" name="state" value="&#60;s&#62;">');
    const script = /<script>([^<]*)<\/script>/.exec(html)![1]!;
    expect(FORM_POST_CSP).toContain(`'sha256-${createHash('sha256').update(script).digest('base64')}'`);
    expect(FORM_POST_CSP).not.toContain('unsafe');
  });

  it('gives the retry page of a form_post client a button that posts the error, without script', () => {
    const html = renderErrorPage({
      status: 503,
      key: 'fhir_unavailable',
      returnForm: { action: 'https://app.example/cb', fields: { error: 'temporarily_unavailable', state: 's1' } },
    })(defaultPageContext());
    expect(html).toContain('<form method="post" action="https://app.example/cb">');
    expect(html).toContain('<input type="hidden" name="error" value="temporarily_unavailable">');
    expect(html).toContain('<button type="submit">Return to the application</button>');
    expect(html).not.toContain('<script');
  });
});
