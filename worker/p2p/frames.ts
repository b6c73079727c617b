/**
 * Length-prefixed frames on a byte stream: a u32 length, then that many bytes. The reader refuses a frame
 * over its cap as soon as the prefix arrives, so a peer can never make us buffer more than the cap. Pure over
 * async iterables, so it is tested without a network.
 */
import { CodecError } from './codec.js';

export function frame(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length, true);
  out.set(body, 4);
  return out;
}

type Chunk = Uint8Array | { subarray(): Uint8Array };

/** Yields each frame's body; throws `CodecError` on a frame over `maxBytes` or a stream that ends mid-frame. */
export async function* readFrames(source: AsyncIterable<Chunk>, maxBytes: number): AsyncGenerator<Uint8Array> {
  let buffer = new Uint8Array(0);
  for await (const chunk of source) {
    const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray();
    const joined = new Uint8Array(buffer.length + bytes.length);
    joined.set(buffer);
    joined.set(bytes, buffer.length);
    buffer = joined;
    for (;;) {
      if (buffer.length < 4) break;
      const length = new DataView(buffer.buffer, buffer.byteOffset, 4).getUint32(0, true);
      if (length > maxBytes) throw new CodecError(`a frame of ${length} bytes is over the limit of ${maxBytes}`);
      if (buffer.length < 4 + length) break;
      yield buffer.slice(4, 4 + length);
      buffer = buffer.subarray(4 + length);
    }
  }
  if (buffer.length > 0) throw new CodecError(`the stream ended inside a frame (${buffer.length} bytes left)`);
}
