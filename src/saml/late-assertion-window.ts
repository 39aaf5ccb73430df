/**
 * Until when an accepted IdP LogoutRequest is applied to an assertion that arrives after it (SAML
 * Core §3.7.3.2: "even if the assertion arrives after the logout request", as long as "the logout
 * request has not yet expired", by its NotOnOrAfter).
 *
 * Bounded besides: only an assertion the IdP issued before the request is refused by it (a later one
 * is a new login), and such an assertion answers an AuthnRequest this SP recorded before then, which
 * it can answer only while that request is pending (`pendingRequestTtlSeconds`). Counted on the
 * IdP's clock, which may be behind ours by the skew: the pending request was recorded at the latest
 * at IssueInstant + skew on our clock, and is gone by IssueInstant + skew + its life. Past that no
 * assertion the request covers can be accepted, so its row can go (and a request without
 * NotOnOrAfter, or with one years away, does not stay for ever). A NotOnOrAfter is judged with the
 * skew as everywhere else (response-checks.ts).
 */
export function lateAssertionWindowEnd(
  request: { issuedAt: Date; notOnOrAfter?: Date },
  pendingRequestTtlSeconds: number,
  skewSeconds: number,
): Date {
  const skewMs = skewSeconds * 1000;
  const lastPendingRequestGone = request.issuedAt.getTime() + skewMs + pendingRequestTtlSeconds * 1000;
  const expires = request.notOnOrAfter === undefined ? Infinity : request.notOnOrAfter.getTime() + skewMs;
  return new Date(Math.min(lastPendingRequestGone, expires));
}
