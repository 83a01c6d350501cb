-- A connector reporting chat activity of existing members: the idempotent join path (resolve + already-active).
local users = tonumber(os.getenv("BENCH_USERS"))
local channel = os.getenv("BENCH_CHANNEL")
local headers = { ["X-API-Key"] = os.getenv("BENCH_KEY"), ["Content-Type"] = "application/json" }
request = function()
  local u = math.random(1, users)
  local body = '{"platform":"twitch","platform_community_id":"' .. channel .. '","platform_user_id":"u' .. u .. '","platform_username":"u' .. u .. '"}'
  return wrk.format("POST", "/api/v1/members/join", headers, body)
end
