# Shared by bench/run-login-load and bench/run-group-load (sourced, not run): the throwaway work directory, a
# PostgreSQL cluster made with initdb/pg_ctl as the postgres user (listening on 127.0.0.1 only), `./coffer serve` on
# a free loopback port, the build of bench/Coffer.LoadTest, and a cleanup that stops and deletes everything it
# started, also on error or Ctrl-C. Expects the caller to be in the repository root with `set -euo pipefail`.
repo="$PWD"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

out="$repo/artifacts/load"
mkdir -p "$out"
work="$(mktemp -d /tmp/coffer-load-XXXXXX)"
server_pid=""
pg_data=""
pg_bin=""

cleanup() {
  stop_server
  if [ -n "$pg_data" ] && [ -f "$pg_data/postmaster.pid" ]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  pg_data=""
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A free loopback port: at most 50 random tries (a port that refuses a connection is free).
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# Sets $loadtest to the built tool and checks the coffer command.
build_loadtest() {
  echo "== building the load tool and the coffer command" >&2
  dotnet build bench/Coffer.LoadTest/Coffer.LoadTest.csproj -c Release --artifacts-path "$repo/artifacts/loadtest" -nologo -v q \
    >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }
  loadtest="$repo/artifacts/loadtest/bin/Coffer.LoadTest/release/coffer-loadtest.dll"
  ./coffer --help >/dev/null
}

# The server reads these from the environment (the JWT keys are sealed with the root key); the login rate limit is
# raised out of the way of a load test.
server_environment() {
  Coffer__RootKey="$(head -c 32 /dev/urandom | base64)"
  export Coffer__RootKey
  export Coffer__LoginRateLimit__PerIdentifier=1000000000 Coffer__LoginRateLimit__PerAddress=1000000000
}

# Sets $database to the connection string of a new cluster (not in a subshell: cleanup needs $pg_data and $pg_bin).
start_postgres() {
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -x "$pg_bin/initdb" ] || { echo "PostgreSQL is not installed; run scripts/setup" >&2; exit 1; }
  pg_data="$work/pg"
  mkdir -p "$pg_data"
  [ "$(id -u)" = 0 ] && chown postgres "$work" "$pg_data"
  pg_port="$(free_port)"
  as_postgres "$pg_bin/initdb" -D "$pg_data" -A trust -U postgres -E UTF8 >"$out/initdb.log" 2>&1
  # fsync stays on; synchronous_commit=off lets a crash lose the last fraction of a second of commits (never
  # consistency), the usual setting for session data. 200 connections: each server node pools up to 100.
  as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -w -t 60 -l "$pg_data/server.log" \
    -o "-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1 -c max_connections=200 -c synchronous_commit=off" start >/dev/null
  as_postgres "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qc "CREATE DATABASE coffer" >/dev/null
  database="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=coffer;Maximum Pool Size=100${LOAD_PG_EXTRA:-}"
}

stop_postgres() {
  if [ -n "$pg_data" ]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null
    pg_data=""
  fi
}

# For database kind $1 (sqlite or postgres): a new store, an app (tokens in $work/app.json), the server on
# 127.0.0.1:$port (pid in $server_pid, log in $out/serve-$1.log). Sets $database. With serve_chat=1 the server also
# runs Coffer.Chat for the new app (`coffer serve --chat-app`).
start_store_and_server() {
  case "$1" in
    sqlite) rm -f "$work/coffer.db"*; database="Data Source=$work/coffer.db" ;;
    postgres) start_postgres ;;
    *) echo "unknown database $1 (sqlite or postgres)" >&2; exit 2 ;;
  esac
  ./coffer app create --name load --json --database "$database" >"$work/app.json"
  port="$(free_port)"
  local chat_args=()
  if [ "${serve_chat:-0}" = 1 ]; then
    chat_args=(--chat-app "$(sed -n 's/.*"app_id": *"\([^"]*\)".*/\1/p' "$work/app.json")")
  fi
  ./coffer serve --urls "http://127.0.0.1:$port" --database "$database" "${chat_args[@]}" >"$out/serve-$1.log" 2>&1 &
  server_pid=$!
}

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
