-- POST /v1/partner/accounts with a unique external_id per request (thread id + counter).
-- Usage: wrk ... -s create_accounts.lua URL -- <api key> <user_id> <run tag>
local counter = 0
local thread_no = 0
local key, user_id, tag
local threads = {}

function setup(thread)
  thread:set("thread_no", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  key = args[1]
  user_id = args[2]
  tag = args[3]
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"user_id":%s,"external_id":"bench-%s-%d-%d","stage":"challenge","starting_balance":"10000.00"}',
    user_id, tag, thread_no, counter)
  return wrk.format("POST", "/v1/partner/accounts",
    { ["X-API-Key"] = key, ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status ~= 201 then
    wrk.thread:set("failed", true)
  end
end
