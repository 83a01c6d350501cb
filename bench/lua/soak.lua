-- The soak: a steady mix of what the Router and connectors send (85 % lookups, 13 % joins of active members,
-- 2 % new viewers), for memory growth over minutes.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
local hot = tonumber(os.getenv("BENCH_HOT"))
local run = os.getenv("BENCH_RUN")
local channel = os.getenv("BENCH_CHANNEL")
local names = string.gsub(channel, "-", "_")
local get = { ["X-API-Key"] = os.getenv("BENCH_KEY") }
local post = { ["X-API-Key"] = os.getenv("BENCH_KEY"), ["Content-Type"] = "application/json" }
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
request = function()
  local r = math.random()
  local j = math.random(1, hot)
  if r < 0.85 then
    return wrk.format("GET", "/api/v1/lookup?platform=twitch&platform_community_id=" .. channel .. "&platform_user_id=" .. channel .. "-" .. j, get)
  end
  local user, name = channel .. "-" .. j, names .. "_" .. j
  if r >= 0.98 then
    n = n + 1
    user = "soak-" .. run .. "-" .. tid .. "-" .. n
    name = user
  end
  return wrk.format("POST", "/api/v1/members/join", post,
    '{"platform":"twitch","platform_community_id":"' .. channel .. '","platform_user_id":"' .. user .. '","platform_username":"' .. name .. '"}')
end
