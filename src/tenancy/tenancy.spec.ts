import { bindExchangeTenant } from './exchange-tenant.js';
import { tenantMatches } from './tenant-match.js';

describe('tenancy of exchanged and presented tokens', () => {
  const portal = { clientId: 'portal', tenants: ['01234567', '07654321'] };

  it('keeps the subject token’s tenant, repeated by the header', () => {
    expect(bindExchangeTenant(portal, '01234567', '01234567')).toBe('01234567');
  });

  it('refuses a header naming another tenant than the subject token’s', () => {
    expect(() => bindExchangeTenant(portal, '07654321', '01234567')).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('binds the header’s tenant to a subject token without one', () => {
    expect(bindExchangeTenant(portal, '07654321', undefined)).toBe('07654321');
  });

  it('refuses a client without tenants exchanging a tenant-bound token', () => {
    expect(() => bindExchangeTenant({ clientId: 'x', tenants: [] }, undefined, '01234567')).toThrow(
      expect.objectContaining({ code: 'unauthorized_client' }),
    );
  });

  it('matches a presented token against the header', () => {
    expect(tenantMatches(undefined, undefined)).toBe(true);
    expect(tenantMatches('http://fhir.nl/fhir/NamingSystem/agb-z|01234567', '01234567')).toBe(true);
    expect(tenantMatches('01234567', '07654321')).toBe(false);
    expect(tenantMatches('01234567', undefined)).toBe(false);
    expect(() => tenantMatches('12', '01234567')).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});
