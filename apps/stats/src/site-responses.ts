import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { etagMatches } from './etag.js';

/** Scripts and styles from this site only; forms submit to it (the search box). */
export const HTML_CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function sendHtml(res: Response, status: number, body: string): void {
  res.status(status).set({ 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': HTML_CSP }).send(body);
}

/** Sets caching headers; answers 304 when the client already has this version. */
export function fresh(req: Request, res: Response, etag: string, maxAge: number): boolean {
  res.set({ ETag: etag, 'Cache-Control': `public, max-age=${maxAge}`, Vary: 'Accept-Encoding' });
  if (etagMatches(req.get('if-none-match'), etag)) {
    res.status(304).end();
    return true;
  }
  return false;
}

/** An ETag that follows the exact bytes, for bodies that change without a new snapshot. */
export function strongTag(body: string | Uint8Array): string {
  return `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
}

/** RFC 6266 filename for a download: an ASCII fallback plus the exact UTF-8 name. */
export function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
