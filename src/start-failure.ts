import { DataDirectoryInUse } from './storage/data-directory-lock.js';
import { DatabaseUnavailableError } from './storage/database.js';
import { connectionRefusal, databaseAnswer } from './storage/pg-unavailable.js';

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
 * down), refusing the connection `url` asks for (no such database, 3D000; its role or password refused,
 * class 28), a TLS connection the URL asks for that could not be made (the server has no TLS, or its
 * certificate was refused), or another refusal of what the URL or its role asks for (a startup
 * parameter of the URL, such as `options=-c …`, {@link URL_OR_ROLE_SQLSTATES}); or the embedded
 * database's directory held by another process. Undefined for any other error: a migration that fails
 * for another reason keeps its stack, since the URL is not where to look. Names the server from `url`, never its password; PostgreSQL's own message names the
 * database, role or parameter it refused (the operator's config), never a password.
 */
export function databaseFailure(error: unknown, url: string): string | undefined {
  if (error instanceof DataDirectoryInUse) return error.message;
  // The embedded database (url ""): its errors are not PostgreSQL's answers over a connection.
  if (url === '') return undefined;
  const server = URL.parse(url)?.host;
  const at = server ? ` at ${server}` : '';
  const database = `database.url (DATABASE_URL): the database${at}`;
  if (error instanceof DatabaseUnavailableError) return `${database} is unavailable (${error.code})`;
  const tls = tlsFailure(error);
  if (tls !== undefined) return `database.url (DATABASE_URL): no connection to the database${at}: TLS: ${withoutCredentials(tls, url)}`;
  const refusal = connectionRefusal(error);
  if (refusal) return `${database} refused the connection: ${withoutCredentials(refusal.message, url)} (${refusal.code})`;
  const answer = databaseAnswer(error);
  if (answer && (URL_OR_ROLE_SQLSTATES.has(answer.code) || answer.code.startsWith('08')))
    return `${database} answered an error at start: ${withoutCredentials(answer.message, url)} (${answer.code || 'no SQLSTATE'})`;
  return undefined;
}

/**
 * What PostgreSQL answers a connection or a migration that the URL or its role is the cause of, besides
 * class 08 (connection exception): an unknown parameter (42704) or a bad value of one (22023) among
 * the URL's startup options, and a privilege the role lacks (42501: it may not create the tables).
 */
const URL_OR_ROLE_SQLSTATES: ReadonlySet<string> = new Set(['42704', '22023', '42501']);

/** pg's own wording when the server answers an SSLRequest with "N". */
const NO_TLS_AT_SERVER = 'The server does not support SSL connections';
/** pg's own wording when the server answers an SSLRequest with neither "S" nor "N". */
const TLS_NEGOTIATION_FAILED = 'There was an error establishing an SSL connection';

/**
 * Codes of a TLS handshake that failed: node's (`ERR_TLS_CERT_ALTNAME_INVALID`), OpenSSL's
 * (`ERR_SSL_WRONG_VERSION_NUMBER`), and OpenSSL's verification of the server's certificate chain
 * (`DEPTH_ZERO_SELF_SIGNED_CERT`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `CERT_HAS_EXPIRED`, …).
 */
const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|CERT_|CRL_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|ERROR_IN_(CERT|CRL)_|INVALID_CA$|INVALID_PURPOSE$|PATH_LENGTH_EXCEEDED$|HOSTNAME_MISMATCH$)/;

/** Why a TLS connection to the database could not be made, in words for the operator; undefined for any other error. */
function tlsFailure(error: unknown): string | undefined {
  // Not `instanceof Error`: node's TLS errors come from its own realm, which need not be the caller's (jest's VM contexts).
  if (typeof error !== 'object' || error === null || databaseAnswer(error)) return undefined;
  const { message, code } = error as Partial<NodeJS.ErrnoException>;
  if (typeof message !== 'string') return undefined;
  if (message === NO_TLS_AT_SERVER) return "the server does not support SSL connections (the URL's sslmode or ssl asks for TLS)";
  if (message === TLS_NEGOTIATION_FAILED) return 'the server answered the request for TLS with neither yes nor no';
  if (typeof code !== 'string' || !TLS_CODE.test(code)) return undefined;
  // Node's message is one line of OpenSSL's reason ("self-signed certificate"), or names the host the certificate does not cover.
  const reason = `${message.split('\n')[0]!} (${code})`;
  return code.startsWith('ERR_SSL_') || (code.startsWith('ERR_TLS_') && code !== 'ERR_TLS_CERT_ALTNAME_INVALID')
    ? `the handshake failed: ${reason}`
    : `the server's certificate was refused: ${reason}`;
}

/**
 * `text` on one line, with any URL's credentials, and the password of `url` (one of at least 4
 * characters, so that a short one does not blank out letters), replaced: an error's message is printed whole.
 */
function withoutCredentials(text: string, url: string): string {
  let safe = text.replace(/\s*\n\s*/g, ' ').replace(/(\/\/[^\s/@:]*):[^\s/@]*@/g, '$1:***@');
  const password = URL.parse(url)?.password ?? '';
  for (const secret of [password, decoded(password)]) if (secret.length >= 4) safe = safe.split(secret).join('***');
  return safe;
}

function decoded(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}
