-- The Router's hot path: routing lookups for random members of one channel (served from cache once warm).
local users = tonumber(os.getenv("BENCH_USERS"))
local channel = os.getenv("BENCH_CHANNEL")
local headers = { ["X-API-Key"] = os.getenv("BENCH_KEY") }
request = function()
  local path = "/api/v1/lookup?platform=twitch&platform_community_id=" .. channel .. "&platform_user_id=u" .. math.random(1, users)
  return wrk.format("GET", path, headers)
end
