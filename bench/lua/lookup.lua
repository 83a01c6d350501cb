-- The Router's hot path: routing lookups of the chatting members of the big community (cached once warm).
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
local hot = tonumber(os.getenv("BENCH_HOT"))
local channel = os.getenv("BENCH_CHANNEL")
local headers = { ["X-API-Key"] = os.getenv("BENCH_KEY") }
request = function()
  local path = "/api/v1/lookup?platform=twitch&platform_community_id=" .. channel .. "&platform_user_id=" .. channel .. "-" .. math.random(1, hot)
  return wrk.format("GET", path, headers)
end
