import { DataDirectoryInUse } from './storage/data-directory-lock.js';
import { DatabaseUnavailableError } from './storage/database.js';
import { connectionRefusal } from './storage/pg-unavailable.js';

/*
 * Why a start failed, in an operator's words naming the key (and variable) to look at, for failures
 * that are the machine's or the config's rather than the service's: printed without a stack trace,
 * which buried the one line that mattered.
 */

/**
 * Why the service could not listen, in an operator's words naming the key (and variable) that set the
 * address; undefined for any other error. Node's own message ("listen EADDRINUSE", "getaddrinfo
 * ENOTFOUND") names neither, and came with a stack trace that buried it.
 */
export function listenFailure(error: unknown, host: string, ports: { port: number; managementPort?: number }): string | undefined {
  const { code, port } = error as NodeJS.ErrnoException & { port?: number };
  // The error names the port it failed on, which tells the two listens apart.
  const key =
    port !== undefined && port === ports.managementPort && port !== ports.port ? 'managementPort (MANAGEMENT_PORT)' : 'port (PORT)';
  switch (code) {
    case 'EADDRINUSE':
      return `${key}: cannot listen on ${host}:${port}: the address is in use by another process`;
    case 'EACCES':
      return `${key}: cannot listen on ${host}:${port}: permission denied (ports below 1024 need privileges)`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `HOST: cannot listen on ${host}: not an IP address of this machine or a name that resolves to one`;
    default:
      return undefined;
  }
}

/**
 * The database the config names not answering at start (refused, unreachable, timed out, shutting
 * down), or refusing the connection `url` asks for: no such database (3D000), or its role or password
 * refused (class 28); or the embedded database's directory held by another process. Undefined for any other error. Names the server from `url`, never its password;
 * PostgreSQL's own message names the database or role it refused (the operator's config), never a password.
 */
export function databaseFailure(error: unknown, url: string): string | undefined {
  if (error instanceof DataDirectoryInUse) return error.message;
  const server = URL.parse(url)?.host;
  const database = `database.url (DATABASE_URL): the database${server ? ` at ${server}` : ''}`;
  if (error instanceof DatabaseUnavailableError) return `${database} is unavailable (${error.code})`;
  const refusal = connectionRefusal(error);
  return refusal && `${database} refused the connection: ${refusal.message} (${refusal.code})`;
}
