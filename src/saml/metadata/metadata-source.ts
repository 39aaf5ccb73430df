import { open } from 'node:fs/promises';
import { BodyTooLargeError, readCappedBody } from '../../common/capped-body.js';
import { MetadataError } from './metadata-error.js';
import { MAX_METADATA_BYTES } from './idp-metadata.js';

/** Where an IdP's metadata comes from (config `metadataUrl` or `metadataFile`). */
export type MetadataSource = { url: string } | { file: string };

/** A metadata server that does not answer within this is given up on until the next attempt. */
export const METADATA_FETCH_TIMEOUT_MS = 10_000;

/**
 * The metadata document's text, bounded: at most {@link MAX_METADATA_BYTES} (counted while reading,
 * whatever Content-Length claims) and, over HTTP, {@link METADATA_FETCH_TIMEOUT_MS} for the whole
 * exchange. UTF-8 only (XML 1.0 §4.3.3 default; SAML metadata is UTF-8 in practice). Throws
 * {@link MetadataError} with fixed wording.
 */
export async function loadMetadataText(source: MetadataSource, maxBytes = MAX_METADATA_BYTES): Promise<string> {
  const bytes = 'url' in source ? await fetchBounded(source.url, maxBytes) : await readBounded(source.file, maxBytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MetadataError('metadata is not UTF-8');
  }
}

async function fetchBounded(url: string, maxBytes: number): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(METADATA_FETCH_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(url, { signal, headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' } });
  } catch {
    throw new MetadataError(signal.aborted ? 'metadata fetch timed out' : 'metadata fetch failed');
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new MetadataError(`metadata fetch answered HTTP ${response.status}`);
  }
  try {
    return await readCappedBody(response, maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new MetadataError('metadata larger than the size cap');
    throw new MetadataError(signal.aborted ? 'metadata fetch timed out' : 'metadata fetch failed');
  }
}

async function readBounded(file: string, maxBytes: number): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    throw new MetadataError('cannot read the metadata file');
  }
  try {
    // One byte more than allowed tells a file at the cap from one beyond it.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw new MetadataError('metadata larger than the size cap');
    }
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof MetadataError) throw error;
    throw new MetadataError('cannot read the metadata file');
  } finally {
    await handle.close();
  }
}
