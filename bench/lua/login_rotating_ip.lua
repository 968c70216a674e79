-- POST /api/v1/auth/login with the right password, each request from another client address
-- (X-Forwarded-For; the server trusts loopback as a proxy), so the per-IP auth tier never
-- rejects and every request pays for one Argon2id verification.
-- Usage: wrk ... -s login_rotating_ip.lua URL -- <email> <password>
local email, password
local counter = 0
local thread_no = 0
local threads = {}

function setup(thread)
  thread:set("thread_no", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  email = args[1]
  password = args[2]
end

function request()
  counter = counter + 1
  local ip = string.format("10.%d.%d.%d", thread_no, math.floor(counter / 250) % 250, counter % 250 + 1)
  local body = string.format('{"email":"%s","password":"%s"}', email, password)
  return wrk.format("POST", "/api/v1/auth/login",
    { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = ip }, body)
end
