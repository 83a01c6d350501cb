-- Warms what a scenario reads from cache: each of the BENCH_HOT chatting members once, by lookup (BENCH_WARM=lookup)
-- or by connector join (BENCH_WARM=join), split over wrk's threads; each thread stops when its share is done.
-- Run with a long -d: the threads end the run.
local hot = tonumber(os.getenv("BENCH_HOT"))
local channel = os.getenv("BENCH_CHANNEL")
local names = string.gsub(channel, "-", "_")
local join = os.getenv("BENCH_WARM") == "join"
local get = { ["X-API-Key"] = os.getenv("BENCH_KEY") }
local post = { ["X-API-Key"] = os.getenv("BENCH_KEY"), ["Content-Type"] = "application/json" }
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args)
  count = tonumber(os.getenv("BENCH_THREADS"))
  next_j, answered = tid, 0
end
request = function()
  local j = next_j
  next_j = next_j + count
  if j > hot then j = hot end -- this thread's share is sent; repeats until its last answers arrive
  if join then
    return wrk.format("POST", "/api/v1/members/join", post, '{"platform":"twitch","platform_community_id":"' .. channel
      .. '","platform_user_id":"' .. channel .. '-' .. j .. '","platform_username":"' .. names .. '_' .. j .. '"}')
  end
  return wrk.format("GET", "/api/v1/lookup?platform=twitch&platform_community_id=" .. channel .. "&platform_user_id=" .. channel .. "-" .. j, get)
end
response = function(status, headers, body)
  answered = answered + 1
  if answered >= math.ceil(hot / count) then wrk.thread:stop() end
end
