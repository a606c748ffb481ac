/**
 * The cluster-wide counting rules, applied atomically inside Redis by one Lua script per batch:
 *
 * - a batch is one instance's journal entries (journal id + local seqs, ascending); the script skips seqs at or
 *   below the highest it has applied for that journal, so re-sending a batch (timeout, restart) counts nothing twice;
 * - the same client (IP + peer_id) counts once per torrent per window, and one address (IPv4, or IPv6 /64) at
 *   most `perAddress` times, over all instances; both are keys that expire with the window;
 * - a counted completion increments the torrent's global count and gets the next global seq in the feed stream.
 *
 * Keys, all under the configured prefix: journal (cluster journal id), counts (hash hex -> count), seq, feed
 * (stream, ids seq-0), ack:<journal id>, dc:<hash>:<client>, da:<hash>:<address>.
 * ARGV: prefix, journal id, window ms, per-address limit, feed length kept, the cluster journal id the sender
 * synced with (a different one means Redis was reset: nothing is applied, the sender resyncs), then per entry: seq, time ms, hex
 * info_hash, client key, address key (empty keys: no limit applies, e.g. entries re-read from the journal file).
 * Returns {highest seq applied, counted in this batch}, or {-1, 0} after a reset.
 */
export const SUBMIT_SCRIPT = `
local p, jid = ARGV[1], ARGV[2]
local win, per, keep = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if redis.call('GET', p .. 'journal') ~= ARGV[6] then return {-1, 0} end
local ackKey = p .. 'ack:' .. jid
local last = tonumber(redis.call('GET', ackKey) or '0')
local counted = 0
for i = 7, #ARGV - 4, 5 do
  local seq = tonumber(ARGV[i])
  if seq > last then
    last = seq
    local t, h, c, a = ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
    local ck = p .. 'dc:' .. h .. ':' .. c
    local ak = p .. 'da:' .. h .. ':' .. a
    local ok = true
    if c ~= '' and redis.call('EXISTS', ck) == 1 then ok = false end
    if ok and a ~= '' and tonumber(redis.call('GET', ak) or '0') >= per then ok = false end
    if ok then
      if c ~= '' then redis.call('SET', ck, '1', 'PX', win) end
      if a ~= '' and redis.call('INCR', ak) == 1 then redis.call('PEXPIRE', ak, win) end
      redis.call('HINCRBY', p .. 'counts', h, 1)
      local s = redis.call('INCR', p .. 'seq')
      redis.call('XADD', p .. 'feed', 'MAXLEN', '~', keep, s .. '-0', 't', t, 'h', h)
      counted = counted + 1
    end
  end
end
redis.call('SET', ackKey, last)
return {last, counted}
`;

/** The client for completion dedupe: its IP plus its peer_id (the port when it sent none), as hex. */
export function clientKeyOf(addr: Uint8Array, addrLen: 6 | 18, peerId: string | null): string {
  const ip = Buffer.from(addr.buffer, addr.byteOffset, addrLen - 2).toString('hex');
  const who =
    peerId === null
      ? Buffer.from(addr.buffer, addr.byteOffset + addrLen - 2, 2).toString('hex')
      : Buffer.from(peerId, 'latin1').toString('hex');
  return `${ip}.${who}`;
}

/** The address for the per-address limit: the IPv4 address or the IPv6 /64, as hex. */
export function addressKeyOf(addr: Uint8Array, addrLen: 6 | 18): string {
  return Buffer.from(addr.buffer, addr.byteOffset, addrLen === 6 ? 4 : 8).toString('hex');
}
