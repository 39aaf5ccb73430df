import { bindTenant, continuedTenant } from './tenant-binding.js';

describe('bindTenant', () => {
  const tenantBound = { clientId: 'portal', tenants: ['01234567', '07654321'] };
  const untenanted = { clientId: 'batch', tenants: [] };

  it('binds an allowed tenant in either header form', () => {
    expect(bindTenant(tenantBound, '07654321')).toBe('07654321');
    expect(bindTenant(tenantBound, 'http://fhir.nl/fhir/NamingSystem/agb-z|01234567')).toBe('01234567');
  });

  it('needs the header from a tenant-bound client', () => {
    expect(() => bindTenant(tenantBound, undefined)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('binds nothing for a client without tenants that sends none', () => {
    expect(bindTenant(untenanted, undefined)).toBeUndefined();
  });

  it('refuses a tenant the client may not act for', () => {
    expect(() => bindTenant(tenantBound, '11111111')).toThrow(expect.objectContaining({ code: 'unauthorized_client' }));
    expect(() => bindTenant(untenanted, '01234567')).toThrow(expect.objectContaining({ code: 'unauthorized_client' }));
  });

  it('refuses a malformed or repeated header', () => {
    expect(() => bindTenant(tenantBound, '0123')).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    expect(() => bindTenant(tenantBound, ['01234567', '07654321'])).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});

describe('continuedTenant', () => {
  it('continues a session without a tenant for any client, and one with a tenant only for a client that has it', () => {
    expect(() => continuedTenant({ clientId: 'batch', tenants: [] }, undefined)).not.toThrow();
    expect(() => continuedTenant({ clientId: 'portal', tenants: ['01234567'] }, '01234567')).not.toThrow();
    expect(() => continuedTenant({ clientId: 'portal', tenants: [] }, '01234567')).toThrow(
      expect.objectContaining({ code: 'unauthorized_client' }),
    );
    expect(() => continuedTenant({ clientId: 'portal', tenants: ['07654321'] }, '01234567')).toThrow(
      expect.objectContaining({ code: 'unauthorized_client' }),
    );
  });
});
