import { grantOutcome, loginOutcome } from './response-outcomes.js';

describe('outcomes read from the answer', () => {
  it('reads a token answer: success, or the error code of its RFC 6749 §5.2 body', () => {
    expect(grantOutcome(200, '{"access_token":"x"}')).toBe('success');
    expect(grantOutcome(400, '{"error":"invalid_grant","error_description":"…"}')).toBe('invalid_grant');
    expect(grantOutcome(401, '{"error":"invalid_client"}')).toBe('invalid_client');
    expect(grantOutcome(400, '{"error":"made_up_by_someone"}')).toBe('error');
    expect(grantOutcome(500, undefined)).toBe('error');
  });

  it('reads a login answer in every response mode, and names a page by its status', () => {
    expect(loginOutcome(303, 'https://app.example/cb?code=abc&state=s&iss=x', '')).toBe('success');
    expect(loginOutcome(303, 'https://app.example/cb#code=abc&iss=x', '')).toBe('success');
    expect(loginOutcome(303, 'https://app.example/cb?error=access_denied&iss=x', '')).toBe('access_denied');
    expect(loginOutcome(303, 'https://app.example/cb?error=%3Cscript%3E', '')).toBe('error');
    const formPost = (name: string, value: string) => `<form method="post" action="https://app.example/cb">
<input type="hidden" name="${name}" value="${value}">
<input type="hidden" name="iss" value="https://as.example">`;
    expect(loginOutcome(200, undefined, formPost('code', 'abc'))).toBe('success');
    expect(loginOutcome(200, undefined, formPost('error', 'temporarily_unavailable'))).toBe('temporarily_unavailable');
    expect(loginOutcome(400, undefined, '<h1>This login has expired</h1>')).toBe('page_400');
    expect(loginOutcome(503, undefined, '<h1>Try again</h1>')).toBe('page_503');
  });
});
