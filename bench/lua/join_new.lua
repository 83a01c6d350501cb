-- A raid: every request is a viewer never seen before (hub user, account, membership, count, events, audit).
-- Ids are unique per run (BENCH_RUN), thread and request.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
local run = os.getenv("BENCH_RUN")
local channel = os.getenv("BENCH_CHANNEL")
local headers = { ["X-API-Key"] = os.getenv("BENCH_KEY"), ["Content-Type"] = "application/json" }
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
request = function()
  n = n + 1
  local id = "raid-" .. run .. "-" .. tid .. "-" .. n
  local body = '{"platform":"twitch","platform_community_id":"' .. channel .. '","platform_user_id":"' .. id .. '","platform_username":"' .. id .. '"}'
  return wrk.format("POST", "/api/v1/members/join", headers, body)
end
