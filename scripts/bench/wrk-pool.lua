-- wrk script of `npm run bench`: rotates through requests signed in advance by the bench
-- (X-WOPI-Proof covers the timestamp, so each is valid for 20 minutes; the pool is re-used).
-- The pool file (WRK_POOL) returns { threads = { [1] = { {method, path, headers, body_bytes}, ... }, ... } }:
-- thread n sends its own list in order, round and round (a Lock, PutFile, Unlock cycle on its
-- own file, or CheckFileInfo requests). Results go as JSON to WRK_OUT.
local pool = dofile(os.getenv("WRK_POOL"))
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

-- Per thread: how many answers of each status (non-2xx ones say what went wrong).
statuses = {}

local formatted = {}
local step = 0

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  step = step + 1
end

function init(args)
  local list = pool.threads[((tid - 1) % #pool.threads) + 1]
  local bodies = {}
  for k, r in ipairs(list) do
    local body = nil
    if r.body_bytes then
      bodies[r.body_bytes] = bodies[r.body_bytes] or string.rep("b", r.body_bytes)
      body = bodies[r.body_bytes]
    end
    formatted[k] = wrk.format(r.method, r.path, r.headers, body)
  end
end

-- The list advances when an answer arrives, not when wrk asks for a request: wrk may ask more
-- than once for one send (when it connects), and a cycle that skipped its Lock would send PutFile
-- and Unlock to an unlocked file, which the gateway rightly refuses (409).
function request()
  return formatted[step % #formatted + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do counts[status] = (counts[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, string.format('"%d":%d', status, n)) end
  local out = io.open(os.getenv("WRK_OUT"), "w")
  out:write(string.format(
    '{"statuses":{' .. table.concat(parts, ",") .. '},"requests":%d,"durationUs":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
  out:close()
end
