import { getSearchParameter } from '@medplum/core';

/**
 * Search result and control parameters that are not SearchParameter resources (FHIR R4
 * search.html "Modifying Search Results"; `_has` search.html#has). Common parameters such as `_id` and
 * `_lastUpdated` are SearchParameters and are checked like any other.
 */
const CONTROL_PARAMETERS = new Set([
  '_count',
  '_offset',
  '_sort',
  '_include',
  '_revinclude',
  '_summary',
  '_elements',
  '_total',
  '_contained',
  '_containedType',
  '_format',
  '_pretty',
  '_has',
  '_type',
]);

/**
 * The parameter names a server would not understand. FHIR lets a server ignore unknown parameters
 * (R4 search.html#errors, `Prefer: handling`), and Medplum's MemoryRepository then matches nothing, silently
 * (measured). For an identity service that is dangerous: a misspelt If-None-Exist would match
 * nothing and create a duplicate. The embedded server therefore behaves as with
 * `Prefer: handling=strict` and refuses them.
 */
export function unknownSearchParameters(resourceType: string, names: Iterable<string>): string[] {
  const unknown: string[] = [];
  for (const name of names) {
    // `identifier:of-type`, `organization.name`: the parameter is the part before `:` or `.`.
    const code = name.split(/[:.]/, 1)[0] ?? name;
    if (CONTROL_PARAMETERS.has(code)) continue;
    if (getSearchParameter(resourceType, code) === undefined) unknown.push(name);
  }
  return unknown;
}

/** Parameter names of a query string or form body (`a=1&b=2`), keeping repeats once. */
export function parameterNames(query: string): string[] {
  return [...new Set(new URLSearchParams(query).keys())];
}
