/**
 * The client secrets fixtures/config/demo.yaml gives by default (`${VAR:-default}`), as the hex SHA-256
 * a config's `secretSha256` holds: published with the source, so anyone could authenticate as a client
 * configured with one. As `secret` production refuses them for their length; as a digest no length
 * shows, so production refuses these digests by name (config.schema.ts).
 * published-demo-secrets.spec.ts recomputes the list from the demo config, so a secret added there is added here.
 */
export const PUBLISHED_DEMO_SECRET_DIGESTS: ReadonlyMap<string, string> = new Map([
  ['d9b4c0d526b354e8c7b97c07396bae965d5f0170030d52e1bbf30af9a4201806', 'ehealth-system'],
  ['17181b22d74645e892b4613a95907148c33a569d563596757d937bec51906e6d', 'portal'],
  ['f7ea4cd5f63604fd4dcfce7550dc4bcb0f025a7dc778b6559ef923904f35cc17', 'ssl-system'],
]);
