/**
 * The header fields of one request head, read where they lie in the head's text. parseHead (http-framer.ts)
 * checks every field name and records where each field is; a value becomes a string only when the framer or a
 * route asks for it. The framer asks for four fields and the announce route for X-Forwarded-For at most (behind
 * a trusted proxy), while clients send more (User-Agent, Accept-Encoding): a Map filled per request cost each
 * field a lower-cased name, a trimmed value and two hash lookups (bench/RESULTS.md).
 */

/** What the framer and the routes read of a request's fields (a Map of lower-case names fits it too). */
export interface HeaderFields {
  /** The field's value without surrounding whitespace; repeated fields joined with ', ' (RFC 9110 §5.3). */
  get(name: string): string | undefined;
  has(name: string): boolean;
}

/** tchar of RFC 9110 §5.6.2, for chars 0-255: the chars a field name is made of. */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TOKEN[c.charCodeAt(0)] = 1;

const COLON = 0x3a;

/**
 * Where the name of the field line head[start, end) ends: the index of its ':', or -1 when the line is not a
 * field (no ':', an empty name, a char outside tchar in the name, or a line starting with whitespace, the
 * obsolete line folding of RFC 9112 §5.2).
 */
export function fieldNameEnd(head: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = head.charCodeAt(i);
    if (c === COLON) return i > start ? i : -1;
    if (c > 0xff || TOKEN[c] === 0) return -1;
  }
  return -1;
}

export class RequestHeaders implements HeaderFields {
  /** Per field: the start of its line, the index of its ':' and the end of its line in `head`. */
  private constructor(
    private readonly head: string,
    private readonly spans: readonly number[],
  ) {}

  /** The field lines of `head` from `start` to its end, or null when one of them is not a field (fieldNameEnd). */
  static read(head: string, start: number): RequestHeaders | null {
    const spans: number[] = [];
    let pos = start;
    while (pos < head.length) {
      let e = head.indexOf('\r\n', pos);
      if (e < 0) e = head.length;
      const colon = fieldNameEnd(head, pos, e);
      if (colon < 0) return null;
      spans.push(pos, colon, e);
      pos = e + 2;
    }
    return new RequestHeaders(head, spans);
  }

  /** Field lines, repeats included. */
  get count(): number {
    return this.spans.length / 3;
  }

  /** `name` in lower case. */
  get(name: string): string | undefined {
    const s = this.spans;
    let out: string | undefined;
    for (let i = 0; i < s.length; i += 3) {
      if (!this.named(i, name)) continue;
      const value = this.head.slice(s[i + 1]! + 1, s[i + 2]!).trim();
      out = out === undefined ? value : `${out}, ${value}`;
    }
    return out;
  }

  /** `name` in lower case. */
  has(name: string): boolean {
    for (let i = 0; i < this.spans.length; i += 3) if (this.named(i, name)) return true;
    return false;
  }

  /** Is the field at spans[i] called `name` (lower case), ignoring the case of ASCII letters? */
  private named(i: number, name: string): boolean {
    const start = this.spans[i]!;
    if (this.spans[i + 1]! - start !== name.length) return false;
    for (let k = 0; k < name.length; k++) {
      let c = this.head.charCodeAt(start + k);
      if (c >= 0x41 && c <= 0x5a) c += 0x20;
      if (c !== name.charCodeAt(k)) return false;
    }
    return true;
  }
}
