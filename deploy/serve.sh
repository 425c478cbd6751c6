#!/usr/bin/env bash
# Serve the explorer from N Streamlit processes behind nginx, with sticky sessions.
#
#   deploy/serve.sh --replicas 4 --port 8080
#
# Starts N replicas of `streamlit run serve.py` (the app and its live route) on
# loopback (ports 8601, 8602, ..., or from --base-port), waits until each is
# healthy, then runs nginx in the foreground on --port. A browser's first request gets a random route cookie;
# nginx hashes it (consistent hashing) to pick the replica, so the page, its
# static files, its websocket and every reconnect of that websocket reach the
# same process (Streamlit keeps a session's state in the process that holds it).
# Websocket upgrade headers are passed through, for Streamlit's own socket and for
# the live route's (/api/live, same location, same sticky rule); the Host header
# keeps its port, since the live route accepts only a browser whose Origin names
# that host. Ctrl-C or SIGTERM stops nginx and every replica; so does any one of
# them exiting.
#
# Needs nginx (Debian: apt-get install nginx; EXPLORER_NGINX=/path/to/nginx picks
# one) and the project's Python environment (`make run` creates .venv; PYTHON=...).
set -euo pipefail

REPLICAS=2
PORT=8080
BASE_PORT=8601
while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) REPLICAS="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --base-port) BASE_PORT="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$REPLICAS$PORT$BASE_PORT" in *[!0-9]*) echo "--replicas, --port and --base-port take numbers" >&2; exit 2 ;; esac
[ "$REPLICAS" -ge 1 ] || { echo "--replicas must be at least 1" >&2; exit 2; }

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY="$(command -v python3)"
# The nginx binary: $EXPLORER_NGINX, or nginx on PATH. (Not $NGINX: nginx itself reads
# an environment variable of that name, a list of inherited sockets, and rejects a path.)
NGINX_BIN="${EXPLORER_NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
[ -x "$NGINX_BIN" ] || { echo "nginx not found: install it (Debian: apt-get install nginx) or set EXPLORER_NGINX=" >&2; exit 1; }

RUN="$(mktemp -d "${TMPDIR:-/tmp}/explorer-serve.XXXXXX")"
PIDS=()
cleanup() {
  trap - EXIT INT TERM
  [ ${#PIDS[@]} -gt 0 ] && kill "${PIDS[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

SERVERS=""
for ((i = 0; i < REPLICAS; i++)); do
  p=$((BASE_PORT + i))
  (cd "$ROOT" && exec "$PY" -m streamlit run serve.py --server.headless true \
      --server.address 127.0.0.1 --server.port "$p") >"$RUN/replica-$i.log" 2>&1 &
  PIDS+=($!)
  SERVERS+="    server 127.0.0.1:$p max_fails=0;"$'\n'
done

healthy() {
  "$PY" - "$1" <<'PY'
import sys, time, urllib.request
deadline = time.monotonic() + 90
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/_stcore/health", timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(1)
PY
}
for ((i = 0; i < REPLICAS; i++)); do
  healthy $((BASE_PORT + i)) || { echo "replica $i did not start; its log:" >&2; cat "$RUN/replica-$i.log" >&2; exit 1; }
done

mkdir -p "$RUN/tmp"
chmod 777 "$RUN/tmp"  # nginx workers may run as another user (nobody) when started as root
cat >"$RUN/nginx.conf" <<CONF
worker_processes auto;
pid $RUN/nginx.pid;
error_log $RUN/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $RUN/tmp/body;
  proxy_temp_path $RUN/tmp/proxy;
  fastcgi_temp_path $RUN/tmp/fastcgi;
  uwsgi_temp_path $RUN/tmp/uwsgi;
  scgi_temp_path $RUN/tmp/scgi;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  # The route: the browser's cookie, or a fresh random one (then set as its cookie).
  map \$cookie_explorer_route \$route { "" \$request_id; default \$cookie_explorer_route; }
  upstream explorer {
    hash \$route consistent;
$SERVERS  }
  server {
    listen $PORT;
    location / {
      proxy_pass http://explorer;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_set_header Host \$http_host;  # with the port: the live route checks Origin against it
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_read_timeout 1d;
      proxy_buffering off;
      add_header Set-Cookie "explorer_route=\$route; Path=/; HttpOnly; SameSite=Lax" always;
      add_header X-Explorer-Replica \$upstream_addr always;
    }
  }
}
CONF
env -u NGINX "$NGINX_BIN" -e "$RUN/error.log" -p "$RUN" -c "$RUN/nginx.conf" &  # (an inherited NGINX would be read as sockets)
PIDS+=($!)
echo "Serving on http://127.0.0.1:$PORT with $REPLICAS replicas (ports $BASE_PORT-$((BASE_PORT + REPLICAS - 1))). Ctrl-C stops."
wait -n "${PIDS[@]}"
echo "a process exited; stopping the rest" >&2
exit 1
