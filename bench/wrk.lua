-- wrk script of bench/run.  Environment:
--   BENCH_PATH      URL path prefix, the article number is appended
--                   ("/news/a" gives /news/a1 ... /news/aN)
--   BENCH_ARTICLES  N, how many articles there are
--   BENCH_DISTINCT  "1": every request is made when sent, 1 to N in
--                   turn, so that all N articles pass (the cache's
--                   memory bound under --long --full)
-- Otherwise requests are made once, in init(), and request() only cycles
-- through them: up to 100 000 distinct paths (all of them when N is
-- smaller, otherwise a random sample of the N), so wrk spends no time per
-- request on building one.  done() prints one machine-readable line.

local prefix = os.getenv("BENCH_PATH") or "/news/a"
local n = tonumber(os.getenv("BENCH_ARTICLES") or "10")
local distinct = os.getenv("BENCH_DISTINCT") == "1"
local reqs, count, idx = {}, 0, 0

function init(args)
    local k = math.min(n, 100000)
    math.randomseed(os.time())
    for i = 1, k do
        local id = i
        if n > k then
            id = math.random(1, n)
        end
        reqs[i] = wrk.format("GET", prefix .. id)
    end
    count = k
end

function request()
    if distinct then
        idx = idx % n + 1
        return wrk.format("GET", prefix .. idx)
    end
    idx = idx + 1
    if idx > count then
        idx = 1
    end
    return reqs[idx]
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "BENCH requests=%d duration_us=%d bytes=%d connect=%d read=%d"
        .. " write=%d status=%d timeout=%d p50=%d p99=%d p999=%d max=%d\n",
        summary.requests, summary.duration, summary.bytes, e.connect,
        e.read, e.write, e.status, e.timeout, latency:percentile(50),
        latency:percentile(99), latency:percentile(99.9), latency.max))
end
