#!/usr/bin/env bash
# Side-by-side HTTP benchmark: `whitenoise serve` against nginx (1 worker, sendfile,
# gzip_static, brotli_static, open_file_cache) on the same generated tree. Each server is
# pinned to core 0 and wrk to core 1; runs alternate between the servers and the median of
# ROUNDS runs is compared, so the printed ratios hold on a noisy shared machine. Each case
# prints req/s and the server's CPU time per request (user + system from /proc/PID/stat):
# the CPU ratio still compares the servers when wrk, not the server, runs out of core.
#
#   bash Benchmarks/http.sh            # DUR=5 ROUNDS=3 CONNS=64 by default
#   ONLY=304 bash Benchmarks/http.sh   # only the cases whose name contains ONLY
#   BACKEND=nio bash Benchmarks/http.sh   # the SwiftNIO backend instead of the default (epoll on Linux)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DUR=${DUR:-5}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
NGINX_PORT=${NGINX_PORT:-18080}
WN_PORT=${WN_PORT:-18081}

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx-light)
[ -f /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ] || need+=(libnginx-mod-http-brotli-static)
command -v brotli >/dev/null || need+=(brotli)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

(cd "$ROOT" && swift build -c release --product whitenoise >/dev/null)
WN="$ROOT/.build/release/whitenoise"

WORK=$(mktemp -d /tmp/whitenoise-bench.XXXXXX)
chmod 755 "$WORK"  # nginx workers run as an unprivileged user
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

# The tree: a 4 KB stylesheet, a 120 KB script, an 8 MB binary, with precompressed siblings.
S="$WORK/site/static"
mkdir -p "$S/css" "$S/js" "$S/bin"
python3 - "$S" <<'PY'
import random, sys
root = sys.argv[1]
rnd = random.Random(42)
rules = []
while sum(map(len, rules)) < 4096:
    sel = rnd.choice(["body", ".nav", "#main", "h1", ".btn", "a:hover", ".card > p", "footer"])
    rules.append(f"{sel} {{ margin: {rnd.randint(0,40)}px; color: #{rnd.randint(0,0xffffff):06x}; }}\n")
open(f"{root}/css/app.css", "w").write("".join(rules)[:4096])
funcs = []
while sum(map(len, funcs)) < 120 * 1024:
    n = rnd.randint(0, 10**6)
    funcs.append(f"export function f{n}(a, b) {{ const x = a * {rnd.randint(1,99)} + b; return x > {n} ? x - {n} : [a, b, x].join('-'); }}\n")
open(f"{root}/js/app.js", "w").write("".join(funcs)[:120 * 1024])
open(f"{root}/bin/big.bin", "wb").write(rnd.randbytes(8 * 1024 * 1024))
PY
gzip -9 -n -k "$S/css/app.css" "$S/js/app.js"
brotli -q 11 -k "$S/css/app.css" "$S/js/app.js"

cat > "$WORK/nginx.conf" <<NGINX
load_module /usr/lib/nginx/modules/ngx_http_brotli_static_module.so;
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log error;
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  open_file_cache max=10000 inactive=60s;
  open_file_cache_valid 60s;
  gzip_static on;
  brotli_static on;
  gzip_vary on;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/site;
    location /static/ {
      add_header Cache-Control "max-age=60, public";
      add_header Access-Control-Allow-Origin *;
    }
  }
}
NGINX

taskset -c 0 nginx -c "$WORK/nginx.conf" -p "$WORK" & pids+=($!)
NGINX_MASTER=$!
taskset -c 0 "$WN" serve "$S" --prefix /static/ --port "$WN_PORT" --threads 1 --log-level error ${BACKEND:+--backend "$BACKEND"} >/dev/null & pids+=($!)
WN_PID=$!
for port in $NGINX_PORT $WN_PORT; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/static/css/app.css" && break; sleep 0.1; done
done

etag() { curl -s -D - -o /dev/null "http://127.0.0.1:$1/static/css/app.css" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}'; }
NGINX_ETAG=$(etag $NGINX_PORT)
# nginx serves from its one worker, the master's child; its CPU time is what we compare.
NGINX_PID=$(tr ' ' '\n' < "/proc/$NGINX_MASTER/task/$NGINX_MASTER/children" | head -1)
[ -n "$NGINX_PID" ] || { echo "nginx has no worker process" >&2; exit 1; }
WN_ETAG=$(etag $WN_PORT)

# name | path | header | expected status
# The 8 MB case runs last: right after moving gigabytes through loopback, small-request rates
# were measured ~8% lower for a while (whitenoise 304s: 114,600 -> 105,500 req/s).
cases=(
  "css 4KB identity|/static/css/app.css||200"
  "css 4KB gzip|/static/css/app.css|Accept-Encoding: gzip|200"
  "304 revalidation|/static/css/app.css|If-None-Match: ETAG|304"
  "js 120KB br|/static/js/app.js|Accept-Encoding: br|200"
  "miss (404)|/static/missing.css||404"
  "bin 8MB|/static/bin/big.bin||200"
)

cputicks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system, all threads

# Prints "req/s µs-of-server-CPU-per-request". When wrk saturates its core both servers
# can show the same req/s; the CPU each spent per request still tells them apart.
rps() {  # port path header server-pid
  local hdr=()
  [ -n "$3" ] && hdr=(-H "$3")
  local before after out
  before=$(cputicks "$4")
  out=$(taskset -c 1 wrk -t1 -c"$CONNS" -d"${DUR}s" "${hdr[@]}" "http://127.0.0.1:$1$2")
  after=$(cputicks "$4")
  echo "$out" | awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    /requests in/ {n = $1} /Requests\/sec/ {r = $2}
    END {printf "%s %.3f\n", r, ticks / hz * 1e6 / n}'
}

check() {  # port path header expected
  local hdr=()
  [ -n "$3" ] && hdr=(-H "$3")
  local got
  got=$(curl -s -o /dev/null -w '%{http_code}' "${hdr[@]}" "http://127.0.0.1:$1$2")
  [ "$got" = "$4" ] || { echo "unexpected status $got (wanted $4) from port $1 for $2 [$3]" >&2; exit 1; }
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

printf '%-18s %12s %12s %8s   %s\n' case nginx whitenoise ratio "server CPU µs/request: nginx, whitenoise, ratio"

for c in "${cases[@]}"; do
  IFS='|' read -r name path header status <<<"$c"
  [[ -z "${ONLY:-}" || "$name" == *"$ONLY"* ]] || continue
  nh=${header/ETAG/$NGINX_ETAG}
  wh=${header/ETAG/$WN_ETAG}
  check $NGINX_PORT "$path" "$nh" "$status"
  check $WN_PORT "$path" "$wh" "$status"
  n=(); w=()
  for r in $(seq "$ROUNDS"); do
    if (( r % 2 )); then n+=("$(rps $NGINX_PORT "$path" "$nh" $NGINX_PID)"); w+=("$(rps $WN_PORT "$path" "$wh" $WN_PID)")
    else w+=("$(rps $WN_PORT "$path" "$wh" $WN_PID)"); n+=("$(rps $NGINX_PORT "$path" "$nh" $NGINX_PID)"); fi
  done
  nm=$(printf '%s\n' "${n[@]}" | cut -d' ' -f1 | median)
  wm=$(printf '%s\n' "${w[@]}" | cut -d' ' -f1 | median)
  nc=$(printf '%s\n' "${n[@]}" | cut -d' ' -f2 | median)
  wc=$(printf '%s\n' "${w[@]}" | cut -d' ' -f2 | median)
  printf '%-18s %12.0f %12.0f %7.2fx   %10.2f %10.2f %7.2fx\n' "$name" "$nm" "$wm" "$(echo "$wm / $nm" | bc -l)" \
    "$nc" "$wc" "$(echo "$nc / $wc" | bc -l)"
done
echo "(CPU ratio: nginx CPU per request over ours; above 1.00x we spend less.)"
