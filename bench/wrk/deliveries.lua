-- wrk script: posts the signed customers/create deliveries of the file named by WRK_DELIVERIES, each once (a line:
-- "webhook id<TAB>signature<TAB>body", written by the site-wrk benchmark). Thread t of WRK_THREADS sends lines t,
-- t + WRK_THREADS, …; a thread that runs out stops and says so in the result line (the file was too short).
local path = os.getenv("WRK_DELIVERIES")
local shop = os.getenv("WRK_SHOP")
local counter = 0
local threads = {}

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  -- Each thread keeps only its own lines, as the requests it sends, built here: request() then allocates nothing, so
  -- the script's garbage collector has no work during the round that would hold up reading the answers.
  requests = {}
  local stride = tonumber(os.getenv("WRK_THREADS") or "2")
  local n = 0
  for line in io.lines(path) do
    if n % stride == index then
      local id, hmac, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
      table.insert(requests, wrk.format("POST", "/!/shopify/webhook/customer/create", {
        ["Content-Type"] = "application/json",
        ["X-Shopify-Topic"] = "customers/create",
        ["X-Shopify-Hmac-Sha256"] = hmac,
        ["X-Shopify-Shop-Domain"] = shop,
        ["X-Shopify-API-Version"] = "2026-10",
        ["X-Shopify-Webhook-Id"] = id,
        ["X-Shopify-Event-Id"] = "event-" .. id,
        ["X-Shopify-Triggered-At"] = "2026-12-06T06:00:00.000Z",
      }, body))
    end
    n = n + 1
  end
  next_request = 1
  exhausted = 0
end

function request()
  local built = requests[next_request]
  if built == nil then
    exhausted = 1
    wrk.thread:stop()
    built = requests[#requests]
  end
  next_request = next_request + 1
  return built
end

function done(summary, latency, requests)
  local out = 0
  for _, thread in ipairs(threads) do
    out = out + (thread:get("exhausted") or 0)
  end
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d non2xx=%d errors=%d exhausted=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, out))
end
