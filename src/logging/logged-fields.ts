/**
 * The walk the logger's `formatters.log` steps share: `change` sees each field of a logged object,
 * at the top and, inside a plain object the top-level change left as it was, one level down
 * (`{ headers: { authorization } }`). What changes is changed on a copy; the caller's object is never
 * touched, and an object in which nothing changes, nearly every line, is returned as it is. The `err`
 * field is left to its serializer (error-summary.ts), arrays as they are.
 */
export function mapLoggedFields(
  object: Record<string, unknown>,
  change: (key: string, value: unknown) => unknown,
): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const value = object[key];
    let next = change(key, value);
    if (next === value && key !== 'err' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      next = changedFields(value as Record<string, unknown>, change);
    }
    if (next !== value) (copy ??= { ...object })[key] = next;
  }
  return copy ?? object;
}

function changedFields(object: Record<string, unknown>, change: (key: string, value: unknown) => unknown): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const value = object[key];
    const next = change(key, value);
    if (next !== value) (copy ??= { ...object })[key] = next;
  }
  return copy ?? object;
}
