-- wrk script for scripts/bench-http.sh: rotates through the request paths in the file named by WRK_PATHS (one
-- path per line, each thread starting at its own place), sends WRK_TOKEN as a bearer token when set, counts every
-- response whose status is not 2xx, and prints one machine-readable BENCH line at the end.

local paths_file = os.getenv("WRK_PATHS")
local token = os.getenv("WRK_TOKEN")
if token and #token > 0 then
    wrk.headers["authorization"] = "Bearer " .. token
end

local threads = {}
local next_thread = 0

function setup(thread)
    thread:set("thread_number", next_thread)
    next_thread = next_thread + 1
    table.insert(threads, thread)
end

function init(args)
    reqs = {}
    for line in io.lines(paths_file) do
        if #line > 0 then
            reqs[#reqs + 1] = wrk.format("GET", line)
        end
    end
    if #reqs == 0 then
        error("no request paths in " .. tostring(paths_file))
    end
    -- Threads start spread over the list, so they do not send the same request at the same moment.
    position = (thread_number * 7919) % #reqs
    non2xx = 0
end

function request()
    position = position % #reqs + 1
    return reqs[position]
end

function response(status, headers, body)
    if status < 200 or status > 299 then
        non2xx = non2xx + 1
    end
end

function done(summary, latency, requests)
    local bad = 0
    for _, thread in ipairs(threads) do
        bad = bad + (thread:get("non2xx") or 0)
    end
    local e = summary.errors
    io.write(string.format(
        "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d non2xx=%d socket_errors=%d\n",
        summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max, bad,
        e.connect + e.read + e.write + e.timeout))
end
