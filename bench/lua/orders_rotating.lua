-- POST /api/v1/orders: a $1 FAK market BUY per request, each from the next trader of a list
-- (access token + that trader's own account), so consecutive orders land in different accounts
-- and no session's rate-limit bucket or account queue is hit twice in a row.
-- Counts the answers by status and keeps the first error body, printed when wrk ends.
-- Usage: wrk ... -s orders_rotating.lua URL -- <traders file: "token account_id" per line> <market id>
local requests = {}
local i = 0
local thread_no = 0
local threads = {}
statuses = {}
first_error = ""

function setup(thread)
  thread:set("thread_no", #threads)
  table.insert(threads, thread)
end

function init(args)
  -- Requests are built once here, so wrk's per-request Lua cost is a table lookup.
  for line in io.lines(args[1]) do
    local token, account = line:match("^(%S+)%s+(%S+)$")
    if token then
      local body = string.format(
        '{"accountId":"%s","marketId":"%s","outcome":"YES","side":"BUY","orderType":"MARKET",' ..
        '"notional":"1","timeInForce":"FAK"}', account, args[2])
      requests[#requests + 1] = wrk.format("POST", "/api/v1/orders",
        { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
    end
  end
  -- Threads start apart in the list so they do not walk it in step.
  i = math.floor(thread_no * #requests / 8) % #requests
end

function request()
  i = (i % #requests) + 1
  return requests[i]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 300 and first_error == "" then first_error = status .. " " .. body end
end

function done(summary, latency, requests)
  local total = {}
  local sample = ""
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do total[status] = (total[status] or 0) + n end
    local e = t:get("first_error")
    if sample == "" and e ~= "" then sample = e end
  end
  for status, n in pairs(total) do io.write(string.format("status %d: %d\n", status, n)) end
  if sample ~= "" then io.write("first error: " .. sample:sub(1, 300) .. "\n") end
end
