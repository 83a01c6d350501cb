-- A GET with the service key (the path comes from the command line).
wrk.headers["X-API-Key"] = os.getenv("BENCH_KEY")
