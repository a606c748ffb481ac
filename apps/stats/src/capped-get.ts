import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';

/** Limits of one GET to the tracker. Every byte an outside server sends is bounded here. */
export interface CappedGetLimits {
  /** Bytes accepted on the wire (the compressed size when the reply is gzipped). */
  readonly maxWireBytes: number;
  /** Bytes accepted after gunzip: a small gzip bomb must not become hundreds of MiB. */
  readonly maxBodyBytes: number;
  /** Whole request, connect to last byte: a slow or endless body ends here. */
  readonly timeoutMs: number;
}

export type CappedGetResult =
  | { readonly ok: true; readonly status: number; readonly contentType: string; readonly body: Buffer }
  | { readonly ok: false; readonly error: string };

export type CappedGet = (url: string, limits: CappedGetLimits) => Promise<CappedGetResult>;

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * One GET with a streamed, capped body; never throws. The body is gunzipped when the server says
 * `Content-Encoding: gzip` or when it starts with the gzip magic (Debian's opentracker gzips `tpbs`
 * whatever the request says, and without saying so); a text reply never starts with 0x1f.
 * We do the decoding ourselves (not fetch) so that the decoded size is capped too.
 */
export const cappedGet: CappedGet = (url, limits) =>
  new Promise<CappedGetResult>((resolve) => {
    let settled = false;
    let req: http.ClientRequest | undefined;
    const finish = (r: CappedGetResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, error: `timed out after ${limits.timeoutMs} ms` }), limits.timeoutMs);
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      finish({ ok: false, error: 'bad URL' });
      return;
    }
    const mod = u.protocol === 'https:' ? https : http;
    try {
      req = mod.get(u, { headers: { 'accept-encoding': 'gzip', connection: 'close' }, agent: false }, (res) => {
        const status = res.statusCode ?? 0;
        const contentType = String(res.headers['content-type'] ?? '');
        const declaredGzip = /\bgzip\b/i.test(String(res.headers['content-encoding'] ?? ''));
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > limits.maxWireBytes) {
          finish({ ok: false, error: `reply larger than ${limits.maxWireBytes} bytes (Content-Length ${declared})` });
          return;
        }
        const chunks: Buffer[] = [];
        let wire = 0;
        res.on('data', (c: Buffer) => {
          wire += c.length;
          if (wire > limits.maxWireBytes) {
            finish({ ok: false, error: `reply larger than ${limits.maxWireBytes} bytes` });
            return;
          }
          chunks.push(c);
        });
        res.on('error', (e) => finish({ ok: false, error: e.message }));
        res.on('aborted', () => finish({ ok: false, error: 'connection closed mid-reply' }));
        res.on('end', () => {
          if (settled) return;
          const raw = Buffer.concat(chunks, wire);
          const gz = declaredGzip || (raw.length >= 2 && raw[0] === GZIP_MAGIC_0 && raw[1] === GZIP_MAGIC_1);
          if (!gz) {
            if (raw.length > limits.maxBodyBytes) finish({ ok: false, error: `reply larger than ${limits.maxBodyBytes} bytes` });
            else finish({ ok: true, status, contentType, body: raw });
            return;
          }
          // maxOutputLength makes zlib stop (with an error) instead of allocating a bomb's full output.
          zlib.gunzip(raw, { maxOutputLength: limits.maxBodyBytes }, (err, out) => {
            if (err) {
              const tooBig =
                (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || /maxOutputLength|too large/i.test(err.message);
              finish({
                ok: false,
                error: tooBig ? `decoded reply larger than ${limits.maxBodyBytes} bytes` : `bad gzip body: ${err.message}`,
              });
            } else {
              finish({ ok: true, status, contentType, body: out });
            }
          });
        });
      });
      req.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, error: e.code ? `${e.message}` : e.message }));
    } catch (e) {
      finish({ ok: false, error: (e as Error).message });
    }
  });
