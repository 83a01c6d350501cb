# Sourced by .ci/run and bench/run.sh: a throwaway PostgreSQL cluster owned by the `postgres` user.
# pg_start sets PG_BIN, PG_DIR and PG_PORT; pg_stop removes the cluster.

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }

find_pg_bin() {
  for dir in $(dirname "$(command -v initdb 2>/dev/null)" 2>/dev/null) $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432; }

pg_start() {
  PG_BIN=$(find_pg_bin) || {
    echo "installing PostgreSQL"
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    PG_BIN=$(find_pg_bin) || { echo "PostgreSQL binaries still missing"; return 1; }
  }
  id postgres >/dev/null 2>&1 || as_root useradd --system --no-create-home postgres
  PG_DIR=$(mktemp -d /tmp/pg.XXXXXX)
  PG_PORT=$(free_port)
  as_root chown postgres "$PG_DIR"
  run_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null || return 1
  run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -l "$PG_DIR/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
    start >/dev/null || { cat "$PG_DIR/server.log"; return 1; }
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] || return 0
  run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$PG_DIR"
}
