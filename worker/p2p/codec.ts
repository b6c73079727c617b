/**
 * A strict binary codec for peer messages: fixed-width little-endian integers and length-prefixed byte
 * strings, read through one reader that refuses anything malformed — a length past the end, a field too long,
 * bytes left over — with a `CodecError`, never a partial value. Every message type decodes through it.
 */

export class CodecError extends Error {
  override name = 'CodecError';
}

export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private take(count: number, what: string): number {
    if (count > this.bytes.length - this.offset) throw new CodecError(`${what}: needs ${count} bytes, ${this.bytes.length - this.offset} left`);
    const at = this.offset;
    this.offset += count;
    return at;
  }

  u8(what: string): number {
    return this.view.getUint8(this.take(1, what));
  }

  u16(what: string): number {
    return this.view.getUint16(this.take(2, what), true);
  }

  u32(what: string): number {
    return this.view.getUint32(this.take(4, what), true);
  }

  f32(what: string): number {
    return this.view.getFloat32(this.take(4, what), true);
  }

  f64(what: string): number {
    return this.view.getFloat64(this.take(8, what), true);
  }

  /** A u32 count, refused above `max` before anything that size is read or allocated. */
  count(what: string, max: number): number {
    const n = this.u32(what);
    if (n > max) throw new CodecError(`${what}: ${n} is over the limit of ${max}`);
    return n;
  }

  /** Exactly `length` bytes (a view, not a copy). */
  fixed(what: string, length: number): Uint8Array {
    const at = this.take(length, what);
    return this.bytes.subarray(at, at + length);
  }

  /** Exactly `length` bytes as lowercase hex (ids and hashes). */
  hex(what: string, length: number): string {
    return Buffer.from(this.fixed(what, length)).toString('hex');
  }

  /** A u32 length prefix, then that many bytes, at most `max`. */
  bytesField(what: string, max: number): Uint8Array {
    return this.fixed(what, this.count(`${what} length`, max));
  }

  /** A UTF-8 string of at most `max` bytes; invalid UTF-8 is refused, not replaced. */
  string(what: string, max: number): string {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.bytesField(what, max));
    } catch (error) {
      if (error instanceof CodecError) throw error;
      throw new CodecError(`${what}: not valid UTF-8`);
    }
  }

  /** Every message ends exactly where its fields do. */
  end(): void {
    if (this.offset !== this.bytes.length) throw new CodecError(`${this.bytes.length - this.offset} unexpected bytes after the message`);
  }
}

export class ByteWriter {
  private readonly parts: Uint8Array[] = [];

  private number(bytes: number, write: (view: DataView) => void): this {
    const part = new Uint8Array(bytes);
    write(new DataView(part.buffer));
    this.parts.push(part);
    return this;
  }

  u8(value: number): this {
    return this.number(1, (view) => view.setUint8(0, value));
  }

  u16(value: number): this {
    return this.number(2, (view) => view.setUint16(0, value, true));
  }

  u32(value: number): this {
    return this.number(4, (view) => view.setUint32(0, value, true));
  }

  f32(value: number): this {
    return this.number(4, (view) => view.setFloat32(0, value, true));
  }

  f64(value: number): this {
    return this.number(8, (view) => view.setFloat64(0, value, true));
  }

  fixed(bytes: Uint8Array): this {
    this.parts.push(bytes);
    return this;
  }

  /** `value`, which must be exactly `length` bytes in lowercase hex, as those bytes. */
  hex(value: string, length: number, what: string): this {
    if (!new RegExp(`^[0-9a-f]{${length * 2}}$`).test(value)) throw new RangeError(`${what} must be ${length * 2} lowercase hex digits`);
    return this.fixed(Buffer.from(value, 'hex'));
  }

  bytesField(bytes: Uint8Array): this {
    return this.u32(bytes.length).fixed(bytes);
  }

  string(value: string): this {
    return this.bytesField(new TextEncoder().encode(value));
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((total, part) => total + part.length, 0));
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}
