-- wrk script of bench/vs_cfssl.sh: POSTs one prepared body over and over on keep-alive
-- connections, and prints one machine-readable line at the end.
-- Set by the caller in the environment (never on argv: the token is a credential):
--   WRK_BODY_FILE     the request body, sent as is
--   WRK_CONTENT_TYPE  its Content-Type
--   WRK_SOAPACTION    (optional) the SOAPAction, sent quoted as SOAP 1.1 wants
--   WRK_TOKEN         (optional) sent as "Authorization: Bearer TOKEN"
--   WRK_MAX_REQUESTS  (optional) each wrk thread stops after this many responses (0: no limit)
--   WRK_QUANTILES     (optional, "1") also print the latency at every 0.1 % of the distribution, so
--                     that bench/cluster.sh can merge the latencies of several wrk processes
local function required(name)
   local value = os.getenv(name)
   if value == nil or value == "" then error(name .. " is not set") end
   return value
end

local file = assert(io.open(required("WRK_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = required("WRK_CONTENT_TYPE")
local action = os.getenv("WRK_SOAPACTION")
if action and action ~= "" then wrk.headers["SOAPAction"] = '"' .. action .. '"' end
local token = os.getenv("WRK_TOKEN")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end

-- A bounded load (GetClientLicensorCert draws on a finite pool of keys): each thread stops
-- after WRK_MAX_REQUESTS responses. wrk still reports its whole -d as the duration, so the time
-- of such a load is taken from its latencies instead: with WRK_CONNECTIONS connections each
-- always waiting on one request, requests x mean latency / connections is the time they took.
local max_requests = tonumber(os.getenv("WRK_MAX_REQUESTS") or "0") or 0
local connections = tonumber(os.getenv("WRK_CONNECTIONS") or "0") or 0
local answered = 0
if max_requests > 0 then
   function response(status, headers, body)
      answered = answered + 1
      if answered >= max_requests then wrk.thread:stop() end
   end
end

-- "RESULT requests=N seconds=S rate=R p50_ms=… p99_ms=… http_errors=N socket_errors=N timeouts=N".
-- wrk's own "Requests/sec" counts every answer, refusals included; `rate` here counts only
-- the 2xx/3xx answers, so a fast stream of errors never reads as work.
function done(summary, latency, requests)
   local e = summary.errors
   local seconds = summary.duration / 1e6
   if max_requests > 0 and connections > 0 then
      seconds = summary.requests * latency.mean / 1e6 / connections
   end
   local good = summary.requests - e.status
   io.write(string.format(
      "RESULT requests=%d seconds=%.2f rate=%.1f p50_ms=%.1f p99_ms=%.1f http_errors=%d socket_errors=%d timeouts=%d\n",
      summary.requests, seconds, good / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      e.status, e.connect + e.read + e.write, e.timeout))
   -- "QUANTILES q0.1 q0.2 … q100" in ms: 1000 points, each standing for 0.1 % of the requests.
   if os.getenv("WRK_QUANTILES") == "1" then
      local points = {}
      for i = 1, 1000 do points[i] = string.format("%.2f", latency:percentile(i / 10) / 1000) end
      io.write("QUANTILES " .. table.concat(points, " ") .. "\n")
   end
end
