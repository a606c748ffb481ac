/**
 * Which names under releases/ are never published: hidden files, partial downloads and editor leftovers
 * (.part, .crdownload, .tmp, qBittorrent's .!qB, aria2's .aria2 control files, names ending in ~) and
 * .torrent files. A name is checked segment by segment, so a hidden folder hides everything in it.
 * The publisher skips them and the site refuses to serve them, so both use this one rule.
 */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name.endsWith('~') || /\.(part|crdownload|tmp|!qB|aria2|torrent)$/i.test(name);
}
