-- wrk script of bench/vs_cfssl.sh: POSTs one prepared body over and over on keep-alive
-- connections, and prints one machine-readable line at the end.
-- Set by the caller in the environment (never on argv: the token is a credential):
--   WRK_BODY_FILE     the request body, sent as is
--   WRK_CONTENT_TYPE  its Content-Type
--   WRK_SOAPACTION    (optional) the SOAPAction, sent quoted as SOAP 1.1 wants
--   WRK_TOKEN         (optional) sent as "Authorization: Bearer TOKEN"
--   WRK_MAX_REQUESTS  (optional) each wrk thread stops after this many responses (0: no limit)
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
-- after WRK_MAX_REQUESTS responses; wrk's duration is then that of the threads' work.
local max_requests = tonumber(os.getenv("WRK_MAX_REQUESTS") or "0") or 0
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
   local good = summary.requests - e.status
   io.write(string.format(
      "RESULT requests=%d seconds=%.2f rate=%.1f p50_ms=%.1f p99_ms=%.1f http_errors=%d socket_errors=%d timeouts=%d\n",
      summary.requests, seconds, good / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      e.status, e.connect + e.read + e.write, e.timeout))
end
