/** NSIS levels of assurance as `acr` values (OIDC Core §2), as the Danish infrastructure names them. */
export function acrForLoa(loa: string | undefined): string | undefined {
  return loa ? `https://data.gov.dk/concept/core/nsis/loa/${loa}` : undefined;
}
