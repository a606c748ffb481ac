import fs from 'node:fs/promises';
import path from 'node:path';
import bencode from 'bencode';
import { isSafeTorrentName } from './manifest-parse.js';
import { MAX_TORRENT_BYTES, rawInfo } from './torrent-rewrite.js';

/** One file of a multi-file torrent: path below the release folder, split in segments. */
export interface TorrentFile {
  readonly path: readonly string[];
  readonly length: number;
}

const MAX_CACHED = 256;
const utf8 = new TextDecoder('utf-8', { fatal: false });

function text(v: unknown): string | null {
  return v instanceof Uint8Array ? utf8.decode(v) : null;
}

/** The file list of a multi-file torrent's info dict; null for a single-file torrent or anything malformed. */
export function torrentFileList(torrent: Uint8Array): TorrentFile[] | null {
  let info: Record<string, unknown>;
  try {
    info = bencode.decode(Buffer.from(rawInfo(torrent))) as Record<string, unknown>;
  } catch {
    return null;
  }
  const files = info['files'];
  if (!Array.isArray(files)) return null;
  const out: TorrentFile[] = [];
  for (const f of files as unknown[]) {
    if (typeof f !== 'object' || f === null) return null;
    const e = f as Record<string, unknown>;
    const rawPath = Array.isArray(e['path.utf-8']) ? e['path.utf-8'] : e['path'];
    const length = e['length'];
    if (!Array.isArray(rawPath) || typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) return null;
    const segs = (rawPath as unknown[]).map(text);
    if (segs.length === 0 || segs.some((s) => s === null || s === '')) return null;
    // BEP 47 padding files are not real files
    if (typeof e['attr'] !== 'undefined' && text(e['attr'])?.includes('p')) continue;
    out.push({ path: segs as string[], length });
  }
  return out;
}

/** Reads file lists of .torrent files in one folder, cached per (name, size, mtime), at most MAX_CACHED of them. */
export class TorrentFileLists {
  private readonly cache = new Map<string, { stamp: string; files: TorrentFile[] | null }>();

  constructor(private readonly torrentsDir: string) {}

  async files(torrentFile: string): Promise<TorrentFile[] | null> {
    if (!isSafeTorrentName(torrentFile)) return null;
    const file = path.join(this.torrentsDir, torrentFile);
    try {
      const st = await fs.stat(file);
      if (!st.isFile() || st.size > MAX_TORRENT_BYTES) return null;
      const stamp = `${st.size}:${st.mtimeMs}`;
      const hit = this.cache.get(torrentFile);
      if (hit?.stamp === stamp) return hit.files;
      const files = torrentFileList(await fs.readFile(file));
      this.cache.delete(torrentFile);
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(torrentFile, { stamp, files });
      return files;
    } catch {
      return null;
    }
  }
}
