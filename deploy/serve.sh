#!/usr/bin/env bash
# Serve the explorer from N Streamlit processes behind nginx, with sticky sessions.
#
#   deploy/serve.sh --replicas 4 --port 8080
#
# Starts N replicas of `streamlit run serve.py` (the app and its routes) on
# loopback (ports 8601, 8602, ..., or from --base-port), waits until each is
# healthy, then runs nginx in the foreground on --port. A browser's first request gets a random route cookie;
# nginx hashes it (consistent hashing) to pick the replica, so the page, its
# static files, its websocket and every reconnect of that websocket reach the
# same process (Streamlit keeps a session's state in the process that holds it).
# Websocket upgrade headers are passed through, for Streamlit's own socket and for
# the routes' (/api/live, /api/class: same location, same sticky rule); the Host header
# keeps its port, since the routes accept only a browser whose Origin names that host.
# Request bodies up to 9 MiB pass (nginx's default is 1 MiB): the Next-token page's uploads
# of logits files up to 8 MiB, plus their multipart framing.
#
# Supervision: a replica that dies (a crash, the OOM killer, SIGKILL) is started again
# on the same port after a pause (1 s, doubling up to 30 s while it keeps dying within
# 30 s of its start), with a line on stderr. Meanwhile nginx sends its route cookies to
# the next live replica (proxy_next_upstream: a refused connection is tried on the next
# server of the hash ring; max_fails=0 keeps the dead one in the ring, so its students
# come back to it once it is up). Streamlit sessions held by the dead process are gone
# (the browser reconnects and reruns the page); a class (the /api/class socket) resumes
# with the student's token, since rooms live in the database. Each replica's current pid
# is in $RUN/replica-<i>.pid (RUN is printed at start). Ctrl-C or SIGTERM stops nginx,
# the supervisors and every replica; so does nginx exiting.
#
# Class mode's database: EXPLORER_DATABASE_URL is passed to every replica. Unset, they
# share one SQLite file, <repo>/data/classroom.sqlite3 (WAL; the folder is made on
# demand), which is right for replicas on one machine; set it to postgresql://... to use
# PostgreSQL (beyond one machine).
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
    -h|--help) sed -n '2,35p' "$0"; exit 0 ;;
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
# nginx's temporary files (a request body over 16 KB, such as an upload, is written to one) get a folder of their
# own: started as root, nginx runs its workers as another user (nobody), who cannot enter RUN (0700: it holds the
# logs). 0711 lets the workers reach the subfolders nginx makes in it for them, without listing or writing it.
NGINX_TMP="$(mktemp -d "${TMPDIR:-/tmp}/explorer-nginx.XXXXXX")"
chmod 711 "$NGINX_TMP"
PIDS=()  # the supervisors, then nginx
cleanup() {
  trap - EXIT INT TERM
  touch "$RUN/stopping" 2>/dev/null || true  # no supervisor starts a replica again
  [ ${#PIDS[@]} -gt 0 ] && kill "${PIDS[@]}" 2>/dev/null || true  # a supervisor stops its replica first
  wait 2>/dev/null || true
  rm -rf "$RUN" "$NGINX_TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# Class mode's rooms: every replica reads the same EXPLORER_DATABASE_URL (or, unset, the same default file).
if [ -n "${EXPLORER_DATABASE_URL:-}" ]; then
  export EXPLORER_DATABASE_URL
  DATABASE="${EXPLORER_DATABASE_URL%%:*} database from EXPLORER_DATABASE_URL"
else
  DATABASE="SQLite file $ROOT/data/classroom.sqlite3"
fi

log() { echo "$(date '+%H:%M:%S') $*" >&2; }

# replica I PORT: run replica I on PORT, and again whenever it dies, until the script stops.
replica() {
  local i=$1 port=$2 pause=1 child started rc how
  trap - EXIT
  trap '' INT  # Ctrl-C: the script stops the replicas in order (below), not each on its own
  # Stopped: end the replica (or the pause) this shell runs, whatever line it was on: jobs -p lists only its
  # own live children, even one started a moment ago (never `kill 0`: that is the whole process group).
  trap 'kill $(jobs -p) 2>/dev/null || true; wait; exit 0' TERM
  while [ ! -e "$RUN/stopping" ]; do
    started=$SECONDS
    (cd "$ROOT" && exec "$PY" -m streamlit run serve.py --server.headless true \
        --server.address 127.0.0.1 --server.port "$port") >>"$RUN/replica-$i.log" 2>&1 &
    child=$!
    echo "$child" >"$RUN/replica-$i.pid"
    rc=0
    wait "$child" 2>/dev/null || rc=$?
    [ -e "$RUN/stopping" ] && break
    how="with code $rc"
    [ "$rc" -gt 128 ] && how="on signal $((rc - 128))"
    if [ $((SECONDS - started)) -ge 30 ]; then pause=1; fi
    log "replica $i (port $port, pid $child) exited $how; starting it again in $pause s"
    sleep "$pause" &
    wait $! || true
    pause=$((pause * 2 > 30 ? 30 : pause * 2))
  done
}

SERVERS=""
for ((i = 0; i < REPLICAS; i++)); do
  p=$((BASE_PORT + i))
  replica "$i" "$p" &
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

cat >"$RUN/nginx.conf" <<CONF
worker_processes auto;
pid $RUN/nginx.pid;
error_log $RUN/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $NGINX_TMP/body;
  proxy_temp_path $NGINX_TMP/proxy;
  fastcgi_temp_path $NGINX_TMP/fastcgi;
  uwsgi_temp_path $NGINX_TMP/uwsgi;
  scgi_temp_path $NGINX_TMP/scgi;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  # The route: the browser's cookie, or a fresh random one (then set as its cookie).
  map \$cookie_explorer_route \$route { "" \$request_id; default \$cookie_explorer_route; }
  upstream explorer {
    hash \$route consistent;
$SERVERS  }
  server {
    listen $PORT;
    # Uploads (Streamlit's PUT /_stcore/upload_file/...): a logits file of up to 8 MiB on the Next-token page
    # plus its multipart framing. Streamlit itself refuses bodies over server.maxUploadSize (9 MiB, in
    # .streamlit/config.toml); nginx's default of 1m would answer such an upload with 413 before any
    # replica saw it. Larger bodies get nginx's 413 without reaching a replica.
    client_max_body_size 9m;
    location / {
      proxy_pass http://explorer;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_set_header Host \$http_host;  # with the port: the live route checks Origin against it
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_read_timeout 1d;
      proxy_next_upstream error timeout;  # (the default, relied on) a dead replica's visitors go to the next
      proxy_buffering off;
      add_header Set-Cookie "explorer_route=\$route; Path=/; HttpOnly; SameSite=Lax" always;
      add_header X-Explorer-Replica \$upstream_addr always;
    }
  }
}
CONF
env -u NGINX "$NGINX_BIN" -e "$RUN/error.log" -p "$RUN" -c "$RUN/nginx.conf" &  # (an inherited NGINX would be read as sockets)
NGINX_PID=$!
PIDS+=("$NGINX_PID")
echo "Serving on http://127.0.0.1:$PORT with $REPLICAS replicas (ports $BASE_PORT-$((BASE_PORT + REPLICAS - 1));" \
  "pids and logs in $RUN); class rooms in the $DATABASE. Ctrl-C stops."
rc=0
wait "$NGINX_PID" || rc=$?
log "nginx stopped (code $rc); stopping the replicas"
exit 1
