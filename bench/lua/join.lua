-- A connector reporting chat activity of members who are already active (the common join): the seeded accounts
-- {channel}-{j} with their seeded names, so nothing about them changes.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
local hot = tonumber(os.getenv("BENCH_HOT"))
local channel = os.getenv("BENCH_CHANNEL")
local names = string.gsub(channel, "-", "_")
local headers = { ["X-API-Key"] = os.getenv("BENCH_KEY"), ["Content-Type"] = "application/json" }
request = function()
  local j = math.random(1, hot)
  local body = '{"platform":"twitch","platform_community_id":"' .. channel .. '","platform_user_id":"' .. channel .. '-' .. j
    .. '","platform_username":"' .. names .. '_' .. j .. '"}'
  return wrk.format("POST", "/api/v1/members/join", headers, body)
end
