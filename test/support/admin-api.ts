import { basic, postForm } from './token-requests.js';

/** Admin clients for the admin API tests, each with the realm roles its name says (secrets are test-only). */
export const ADMIN_CLIENTS = {
  auditor: { secret: 'test-auditor-secret-0123456789abcdef', roles: ['view-events'] },
  operator: { secret: 'test-operator-secret-0123456789abcdef', roles: ['view-events', 'manage-users', 'manage-realm'] },
} as const;

export type AdminClient = keyof typeof ADMIN_CLIENTS;

/** Adds the admin clients to a realm of a raw test config. */
export function withAdminClients(realm: Record<string, any>): void {
  for (const [clientId, { secret, roles }] of Object.entries(ADMIN_CLIENTS)) {
    realm.clients.push({ clientId, type: 'confidential', secret, grantTypes: ['client_credentials'], roles: [...roles] });
  }
}

/** A client-credentials access token of an admin client (or any confidential client given its secret). */
export async function clientToken(baseUrl: string, realm: string, clientId: string, secret: string): Promise<string> {
  const response = await postForm(
    `${baseUrl}/realms/${realm}/protocol/openid-connect/token`,
    new URLSearchParams({ grant_type: 'client_credentials' }),
    { authorization: basic(clientId, secret) },
  );
  if (response.status !== 200) throw new Error(`client_credentials for ${clientId} failed: ${JSON.stringify(response.body)}`);
  return response.body.access_token as string;
}

export function adminToken(baseUrl: string, realm: string, client: AdminClient): Promise<string> {
  return clientToken(baseUrl, realm, client, ADMIN_CLIENTS[client].secret);
}

/** One admin API call; the body parsed when there is one. */
export async function adminCall(
  baseUrl: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  token?: string,
): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(`${baseUrl}/admin/realms/${path}`, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}
