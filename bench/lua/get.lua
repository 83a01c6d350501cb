-- A GET with the service key (the path comes from the command line): /health, member pages.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
wrk.headers["X-API-Key"] = os.getenv("BENCH_KEY")
