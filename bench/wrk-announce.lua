-- wrk script for `npm run bench`: random-torrent, random-peer announces over the preloaded population.
-- Env: BENCH_HASHES (file, one 40-hex info_hash per line), BENCH_N (torrents), BENCH_PEERS (peers per
-- torrent), BENCH_NUMWANT, BENCH_CLOSE=1 (send Connection: close), BENCH_SEED.
-- Peer k of torrent t: port 20000+k, peer_id "-BN0001-" + 12 bytes of xorshift32 seeded by
-- ((t << 16) | k) ^ 0x9E3779B9 (as bench/population.ts), every 4th a seeder.
-- A reply counts as ok only if: status 200, body starts with 'd', has '5:peers', no 'failure reason'.
local bit = require("bit")

threads = {}
function setup(thread)
  table.insert(threads, thread)
end

ok, bad = 0, 0
local hashes = {}
local peerq = {}
local N, S, NUMWANT, headers

local enc = {}
for b = 0, 255 do enc[b] = string.format("%%%02X", b) end

local function xs(x)
  x = bit.bxor(x, bit.lshift(x, 13))
  x = bit.bxor(x, bit.rshift(x, 17))
  x = bit.bxor(x, bit.lshift(x, 5))
  return x
end

local function peer_id(t, k)
  local x = bit.bxor(bit.bor(bit.lshift(t, 16), bit.band(k, 0xffff)), 0x9E3779B9)
  if x == 0 then x = 1 end
  local out = { "-BN0001-" }
  for _ = 1, 3 do
    x = xs(x)
    for s = 0, 24, 8 do out[#out + 1] = enc[bit.band(bit.rshift(x, s), 255)] end
  end
  return table.concat(out)
end

function init(args)
  N = tonumber(os.getenv("BENCH_N") or "1000")
  S = tonumber(os.getenv("BENCH_PEERS") or "200")
  NUMWANT = tonumber(os.getenv("BENCH_NUMWANT") or "50")
  math.randomseed(tonumber(os.getenv("BENCH_SEED") or "1") + (wrk.thread and 0 or 0))
  for line in io.lines(os.getenv("BENCH_HASHES")) do
    local hex = line:match("^(%x+)")
    if hex and #hex == 40 then
      hashes[#hashes + 1] = hex:gsub("%x%x", function(h) return enc[tonumber(h, 16)] end)
    end
    if #hashes >= N then break end
  end
  headers = {}
  if os.getenv("BENCH_CLOSE") == "1" then headers["Connection"] = "close" end
end

function request()
  local t = math.random(0, N - 1)
  local k = math.random(0, S - 1)
  local idx = t * S + k
  local q = peerq[idx]
  if q == nil then
    q = "/announce?info_hash=" .. hashes[t + 1] .. "&peer_id=" .. peer_id(t, k)
      .. "&port=" .. (20000 + k) .. "&uploaded=0&downloaded=0&left="
      .. (k % 4 == 0 and "0" or "1000000") .. "&compact=1&numwant=" .. NUMWANT .. "&key=" .. idx
    peerq[idx] = q
  end
  return wrk.format("GET", q, headers)
end

function response(status, hdrs, body)
  if status == 200 and body:sub(1, 1) == "d" and body:find("5:peers", 1, true)
      and not body:find("failure reason", 1, true) then
    ok = ok + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local tok, tbad = 0, 0
  for _, th in ipairs(threads) do
    tok = tok + th:get("ok")
    tbad = tbad + th:get("bad")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"ok":%d,"bad":%d,"requests":%d,"duration_us":%d,"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d,"p50_us":%d,"p99_us":%d}\n',
    tok, tbad, summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
