import { GeoredError } from '../../errors/catalogue';
import { SIP_ERRORS } from '../../errors/sip';
import { isToken } from './charset';
import { headerKey, LIST_HEADERS } from './header-names';
import { splitList } from './split';

/**
 * One header field line as received (or as set): `value` is the raw text after the colon, unfolded and
 * trimmed. `parsed` caches the structured form (Via[], NameAddr, ...) the first time someone asks; a
 * field is never mutated in place, an edit replaces it, so a cache can never outlive its text.
 */
export interface HeaderField {
  readonly name: string;
  readonly key: string;
  readonly value: string;
  parsed?: unknown;
  /** @internal where the line(s) sat in the received header section (set by the parser only). */
  readonly start?: number;
  readonly end?: number;
  /** @internal where the value sat in the received text (a one-line value only), for the byte readers. */
  readonly vstart?: number;
  readonly vend?: number;
}

/** @internal the received bytes a parsed message's untouched lines can be copied from. */
export interface HeaderSource {
  readonly buf: Buffer;
  /** Offset in `buf` of the header section that field offsets count from. */
  readonly base: number;
  /** `buf` decoded as latin1 (the message is ASCII): text.slice(a, b) is the text of buf[a, b). */
  readonly text: string;
}

/**
 * @internal Every field is built here with the same properties in the same order, so the hot loops that
 * read `key` and `parsed` see one object shape.
 */
export function makeField(
  name: string,
  key: string,
  value: string,
  start: number | undefined,
  end: number | undefined,
  vstart?: number,
  vend?: number,
): HeaderField {
  return { name, key, value, parsed: undefined, start, end, vstart, vend };
}

export function field(name: string, value: string): HeaderField {
  return makeField(name, headerKey(name), value, undefined, undefined);
}

function checkName(name: string): void {
  if (!isToken(name)) {
    throw new GeoredError('SIP_BAD_ARGUMENT', SIP_ERRORS.SIP_BAD_ARGUMENT, {
      name: 'header name',
      detail: `${JSON.stringify(name)} is not a token`,
    });
  }
}

function checkValue(name: string, value: string): void {
  // CR or LF in a value would let a caller inject header lines into what we send.
  if (/[\r\n\0]/.test(value)) {
    throw new GeoredError('SIP_BAD_ARGUMENT', SIP_ERRORS.SIP_BAD_ARGUMENT, {
      name: `${name} value`,
      detail: 'it contains CR, LF or NUL',
    });
  }
}

/**
 * The ordered header fields of one message, kept as raw values. Names match case-insensitively and
 * compact forms match their long names (`v` is `Via`). Iteration yields `[name, value]` per field line.
 */
export class Headers implements Iterable<[string, string]> {
  /** @internal the field list; the message layer reads it directly on the hot path. */
  list: HeaderField[];
  /** @internal set by the parser when byte offsets equal character offsets (an ASCII header section). */
  source: HeaderSource | undefined;

  constructor(init?: Iterable<readonly [string, string]> | HeaderField[]) {
    this.list = [];
    if (init === undefined) return;
    for (const entry of init as Iterable<unknown>) {
      if (Array.isArray(entry)) this.append(entry[0] as string, entry[1] as string);
      else {
        const f = entry as HeaderField;
        // Offsets belong to another message's bytes: keep only the text.
        this.list.push(makeField(f.name, f.key, f.value, undefined, undefined));
      }
    }
  }

  /** Number of field lines. */
  get size(): number {
    return this.list.length;
  }

  /** The value of the first field with this name (the whole line's value, not split). */
  get(name: string): string | undefined {
    const key = headerKey(name);
    for (const f of this.list) if (f.key === key) return f.value;
    return undefined;
  }

  /** Every value: list headers are split into elements, other headers give one entry per field line. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const split = LIST_HEADERS.has(key);
    const out: string[] = [];
    for (const f of this.list) {
      if (f.key !== key) continue;
      if (split) out.push(...splitList(f.value));
      else out.push(f.value);
    }
    return out;
  }

  /** The field lines with this name, in order (with their parse caches). */
  fields(name: string): HeaderField[] {
    const key = headerKey(name);
    return this.list.filter((f) => f.key === key);
  }

  /** @internal first field with this key (no name normalisation: the caller passes a key). */
  firstByKey(key: string): HeaderField | undefined {
    const list = this.list;
    for (let i = 0; i < list.length; i++) if ((list[i] as HeaderField).key === key) return list[i];
    return undefined;
  }

  has(name: string): boolean {
    const key = headerKey(name);
    return this.list.some((f) => f.key === key);
  }

  /** Replaces every field with this name by one field, where the first one was (or at the end). */
  set(name: string, value: string): void {
    checkName(name);
    checkValue(name, value);
    const f = field(name, value);
    const out: HeaderField[] = [];
    let placed = false;
    for (const x of this.list) {
      if (x.key !== f.key) out.push(x);
      else if (!placed) {
        out.push(f);
        placed = true;
      }
    }
    if (!placed) out.push(f);
    this.list = out;
  }

  /** Adds a field after every other field of the message. */
  append(name: string, value: string): void {
    checkName(name);
    checkValue(name, value);
    this.list.push(field(name, value));
  }

  /** Adds a field before the first field with this name (a new top Via or Record-Route), else at the top. */
  prepend(name: string, value: string): void {
    checkName(name);
    checkValue(name, value);
    const f = field(name, value);
    const i = this.list.findIndex((x) => x.key === f.key);
    this.list.splice(i < 0 ? 0 : i, 0, f);
  }

  /** Removes every field with this name; returns how many lines went. */
  remove(name: string): number {
    const key = headerKey(name);
    const before = this.list.length;
    this.list = this.list.filter((f) => f.key !== key);
    return before - this.list.length;
  }

  /**
   * Removes the first element of this header (for a list header, the first comma-separated element; the
   * rest of that line stays) and returns it, e.g. the top Via of a response being forwarded upstream.
   */
  removeFirst(name: string): string | undefined {
    const key = headerKey(name);
    const i = this.list.findIndex((f) => f.key === key);
    if (i < 0) return undefined;
    const f = this.list[i] as HeaderField;
    if (LIST_HEADERS.has(key) && f.value.indexOf(',') >= 0) {
      const parts = splitList(f.value);
      if (parts.length > 1) {
        this.list[i] = field(f.name, parts.slice(1).join(', '));
        return parts[0];
      }
    }
    this.list.splice(i, 1);
    return f.value;
  }

  *[Symbol.iterator](): Iterator<[string, string]> {
    for (const f of this.list) yield [f.name, f.value];
  }

  clone(): Headers {
    const h = new Headers();
    h.list = this.list.slice();
    h.source = this.source;
    return h;
  }
}
