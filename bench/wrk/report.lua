-- Prints one JSON line of results when wrk finishes; sends the request described by BENCH_* variables.
-- BENCH_METHOD=POST with BENCH_BODY sends a form; "{date}" in the body becomes a different past day
-- for every request, so repeated log posts never hit the 1440-minutes-a-day limit; "{recent}"
-- becomes one of the 20 days before today (UTC), in turn, as most logs are of a recent day.
local method = os.getenv("BENCH_METHOD") or "GET"
local body_template = os.getenv("BENCH_BODY")
local cookie = os.getenv("BENCH_COOKIE")
local counter = 0
local first_day = os.time({year = 2001, month = 1, day = 1, hour = 12})
local started = os.time()

wrk.method = method
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
if body_template then
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

request = function()
  if not body_template then
    return wrk.format(nil, wrk.path)
  end
  counter = counter + 1
  local day = os.date("!%Y-%m-%d", first_day + (counter % 7000) * 86400)
  local recent = os.date("!%Y-%m-%d", started - (1 + counter % 20) * 86400)
  local body = string.gsub(string.gsub(body_template, "{date}", day), "{recent}", recent)
  return wrk.format(nil, wrk.path, nil, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p95": %d, "p99": %d, "mean": %.1f, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
