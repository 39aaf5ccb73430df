import { SetMetadata } from '@nestjs/common';
import type { ADMIN_ROLES } from '../config/admin-audiences.js';

/**
 * The admin API's roles, named as Keycloak's realm-management roles. A client gets them through its
 * configured `roles`, which its client-credentials tokens carry in `realm_access.roles`. As in
 * Keycloak, a `manage-` role includes its `view-` role.
 */
export type AdminRole = (typeof ADMIN_ROLES)[number];

const INCLUDED_IN: Partial<Record<AdminRole, AdminRole[]>> = {
  'view-users': ['manage-users'],
  'view-realm': ['manage-realm'],
};

/** The roles that grant `role`: itself, and the `manage-` role that includes it. */
export function rolesGranting(role: AdminRole): AdminRole[] {
  return [role, ...(INCLUDED_IN[role] ?? [])];
}

export const ADMIN_ROLE = Symbol('ADMIN_ROLE');

/** The role a handler of the admin API requires (checked by AdminAuthGuard). */
export const RequiresRole = (role: AdminRole) => SetMetadata(ADMIN_ROLE, role);
