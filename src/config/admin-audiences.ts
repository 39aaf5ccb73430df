import type { z } from 'zod';
import type { RealmConfig } from './config.schema.js';

/** The admin API's roles (Keycloak's realm-management roles, admin/admin-roles.ts). */
export const ADMIN_ROLES = ['view-events', 'view-users', 'manage-users', 'view-realm', 'manage-realm'] as const;

/**
 * The admin API admits only tokens whose `aud` names this realm's issuer (RFC 9068 §4, admin-auth.guard.ts).
 * A client granted an admin role whose tokens could never carry it is refused here, not at its first call:
 * its `audience` leaves the issuer out, or it names none and the realm's `defaultAudience` (RFC 9068 §3) takes over.
 */
export function refineAdminAudiences(publicUrl: string, realm: RealmConfig, r: number, ctx: z.RefinementCtx): void {
  const issuer = `${publicUrl}/realms/${realm.name}`;
  realm.clients.forEach((client, c) => {
    if (!client.roles.some((role) => (ADMIN_ROLES as readonly string[]).includes(role))) return;
    if (client.audience !== undefined && !client.audience.includes(issuer)) {
      ctx.addIssue({
        code: 'custom',
        path: ['realms', r, 'clients', c, 'audience'],
        message: `an admin client's tokens must name the realm's issuer ${issuer}, or the admin API refuses them`,
      });
    } else if (client.audience === undefined && realm.defaultAudience !== undefined && realm.defaultAudience !== issuer) {
      ctx.addIssue({
        code: 'custom',
        path: ['realms', r, 'clients', c, 'audience'],
        message: `an admin client needs an audience naming the realm's issuer ${issuer}: the realm's defaultAudience would replace it`,
      });
    }
  });
}
