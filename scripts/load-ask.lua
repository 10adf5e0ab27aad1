-- wrk script for scripts/load.sh: POSTs /api/v1/ask with the questions in $EVIDENT_LOAD_QUESTIONS
-- (one JSON request body per line), round-robin from a per-thread offset, and counts 5xx.
local bodies = {}
for line in io.lines(os.getenv("EVIDENT_LOAD_QUESTIONS")) do
  bodies[#bodies + 1] = line
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  next_body = (id * 7919) % #bodies
  server_errors = 0
  by_status = {}
end

function request()
  next_body = next_body % #bodies + 1
  return wrk.format("POST", "/api/v1/ask", {["Content-Type"] = "application/json"}, bodies[next_body])
end

function response(status, headers, body)
  by_status[status] = (by_status[status] or 0) + 1
  if status >= 500 then
    server_errors = server_errors + 1
  end
end

function done(summary, latency, requests)
  local errors, statuses = 0, {}
  for _, t in ipairs(threads) do
    errors = errors + t:get("server_errors")
    for status, n in pairs(t:get("by_status")) do
      statuses[status] = (statuses[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(statuses) do
    parts[#parts + 1] = status .. ": " .. n
  end
  io.write(string.format("ask: %d requests, %.1f req/s, p50 %.0f ms, p99 %.0f ms, 5xx %d (%s)\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors, table.concat(parts, ", ")))
end
