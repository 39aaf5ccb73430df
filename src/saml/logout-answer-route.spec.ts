import { logoutAnswerRoute } from './logout-answer-route.js';

describe('where and how the LogoutResponse to an IdP LogoutRequest goes', () => {
  const redirect = 'https://idp.test/slo/redirect';
  const post = 'https://idp.test/slo/post';

  it('goes back in the binding the request came by, when the IdP has an endpoint of it', () => {
    expect(logoutAnswerRoute({ redirect, post }, 'redirect')).toEqual({ binding: 'redirect', destination: redirect });
    expect(logoutAnswerRoute({ redirect, post }, 'post')).toEqual({ binding: 'post', destination: post });
  });

  it('goes by the other binding to an IdP with no endpoint of the request’s (SAML Bindings §3.4.1, §3.5.1: composed bindings)', () => {
    expect(logoutAnswerRoute({ post }, 'redirect')).toEqual({ binding: 'post', destination: post });
    expect(logoutAnswerRoute({ redirect }, 'post')).toEqual({ binding: 'redirect', destination: redirect });
  });

  it('is nothing for an IdP without a SingleLogoutService', () => {
    expect(logoutAnswerRoute({}, 'redirect')).toBeUndefined();
    expect(logoutAnswerRoute({}, 'post')).toBeUndefined();
  });
});
