/**
 * `${VAR}` and `${VAR:-default}` in string values are read from the environment. Substitution runs on
 * the parsed YAML tree, not on the file text, so a variable's value can never change the structure.
 */
const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
/** A whole value that names a variable the shell way, without braces: meant as a placeholder, never a secret. */
const BARE_VARIABLE = /^\$[A-Za-z_][A-Za-z0-9_]*$/;

export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, problems: string[], path: string[] = []): unknown {
  if (typeof value === 'string') {
    // A placeholder mistyped (`${NAME` without its brace, `$NAME`) would otherwise be taken as written:
    // a key or secret anyone reading the file knows, over every length check. Refused, naming the key,
    // never the value; what a variable brings in is not looked at (its value may hold anything).
    // A default is taken as written: one holding a placeholder (the shell's `${A:-${B}}`) would leave
    // `${B}` itself as the value when A is not set, and a `}` after it.
    const nested = [...value.matchAll(PLACEHOLDER)].some(([, , fallback]) => fallback?.includes('${'));
    if (nested || value.replace(PLACEHOLDER, '').includes('${')) {
      problems.push(
        `${formatPath(path)}: a "\${" that is not a placeholder \${NAME} or \${NAME:-default} (a brace missing, or one in a default?)`,
      );
      return value;
    }
    if (BARE_VARIABLE.test(value)) {
      problems.push(`${formatPath(path)}: $NAME is not read from the environment; write \${NAME}`);
      return value;
    }
    return value.replace(PLACEHOLDER, (_match, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      problems.push(`${formatPath(path)}: environment variable ${name} is not set`);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, env, problems, [...path, String(i)]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substituteEnv(item, env, problems, [...path, key])]));
  }
  return value;
}

/** `realms.1.clients.0.secret` → `realms[1].clients[0].secret`, the form used in every config error. */
export function formatPath(path: readonly PropertyKey[]): string {
  return (
    path
      .map((part, i) =>
        typeof part === 'number' || /^\d+$/.test(String(part)) ? `[${String(part)}]` : `${i === 0 ? '' : '.'}${String(part)}`,
      )
      .join('') || '(root)'
  );
}
