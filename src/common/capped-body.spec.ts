import { BodyTooLargeError, readCappedBody } from './capped-body.js';

describe('readCappedBody', () => {
  const streamed = (parts: string[], headers: Record<string, string> = {}) =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
          controller.close();
        },
      }),
      { headers },
    );

  it('reads a body up to the cap whole', async () => {
    const bytes = await readCappedBody(streamed(['abc', 'def']), 6);
    expect(new TextDecoder().decode(bytes)).toBe('abcdef');
  });

  it('refuses a body past the cap, counted while reading whatever Content-Length says', async () => {
    await expect(readCappedBody(streamed(['abc', 'defg'], { 'content-length': '3' }), 6)).rejects.toThrow(new BodyTooLargeError(6));
  });

  it('refuses a declared Content-Length above the cap before reading, and cancels the body', async () => {
    let pulled = 0;
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull: () => void pulled++,
      cancel: () => void (cancelled = true),
    });
    const error = await readCappedBody(new Response(body, { headers: { 'content-length': '7' } }), 6).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(error).toMatchObject({ maxBytes: 6, message: 'the body is larger than 6 bytes' });
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it('gives an empty body as no bytes', async () => {
    await expect(readCappedBody(new Response(null), 6)).resolves.toHaveLength(0);
  });
});
