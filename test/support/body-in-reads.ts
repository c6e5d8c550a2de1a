/** A response body that hands `bytes` over in reads of `size` bytes (all of them in one read when size is 0). */
export function bodyInReads(bytes: Uint8Array | string, size = 0): ReadableStream<Uint8Array> {
  const all = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= all.length) {
        controller.close();
        return;
      }
      const end = size === 0 ? all.length : offset + size;
      controller.enqueue(all.slice(offset, end));
      offset = end;
    },
  });
}
