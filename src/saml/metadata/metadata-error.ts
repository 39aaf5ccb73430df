/** Why an IdP metadata document was refused: fixed wording for the log and for boot errors, never its content. */
export class MetadataError extends Error {
  override readonly name = 'MetadataError';
}
