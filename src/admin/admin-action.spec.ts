import type { FastifyRequest } from 'fastify';
import type { Realm } from '../realms/realm.js';
import { refusedAdminAction } from './admin-action.js';

const realm = { name: 'nemlogin' } as Realm;
const refused = (url: string) =>
  refusedAdminAction({ url, method: 'GET', ip: '203.0.113.7' } as FastifyRequest, realm, 'auditor').details!.resource_path as string;

describe('refusedAdminAction', () => {
  it('records the path after the realm, every CPR or BSN in it masked', () => {
    expect(refused('/admin/realms/nemlogin/users/0101701234/sessions?x=1')).toBe('users/[digits masked]/sessions');
  });

  it('masks before it cuts the path to 200 characters: no part of a CPR across the cut is kept', () => {
    // `users/` and 189 letters: the CPR starts at the 196th character of the recorded path.
    const path = refused(`/admin/realms/nemlogin/users/${'a'.repeat(189)}0101701234/sessions`);
    expect(path.startsWith(`users/${'a'.repeat(189)}`)).toBe(true);
    expect(path.length).toBeLessThanOrEqual(200);
    expect(path).not.toMatch(/0101|1017/);
  });
});
