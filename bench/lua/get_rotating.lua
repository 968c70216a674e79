-- GET the same route over a list of ids, one per request, round-robin per thread.
-- Usage: wrk ... -s get_rotating.lua URL -- <ids file> <path prefix> <api key>
local ids = {}
local prefix, key
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  prefix = args[2]
  key = args[3]
end

function request()
  i = (i % #ids) + 1
  return wrk.format("GET", prefix .. ids[i], { ["X-API-Key"] = key })
end
