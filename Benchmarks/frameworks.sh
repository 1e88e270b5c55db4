#!/usr/bin/env bash
# Side-by-side benchmark inside one Vapor app and one Hummingbird app (release builds):
# WhiteNoise's middleware vs the framework's own FileMiddleware on the same 4 KB CSS file,
# and a plain-text hello route (the framework's ceiling). The server is pinned to core 0,
# wrk to core 1; runs alternate and the median of ROUNDS runs is compared (ratios, since
# this machine is shared and noisy). Target: WhiteNoise >= 80% of the hello route.
#
#   bash Benchmarks/frameworks.sh      # DUR=5 ROUNDS=3 CONNS=64 by default
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DUR=${DUR:-5}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
PORT=${PORT:-18090}

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
(cd "$ROOT" && WHITENOISE_BENCHMARKS=1 swift build -c release --product whitenoise-framework-bench >/dev/null)
BENCH="$ROOT/.build/release/whitenoise-framework-bench"

WORK=$(mktemp -d /tmp/whitenoise-fwbench.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

mkdir -p "$WORK/static" "$WORK/files"
python3 - "$WORK/static/app.css" <<'PY'
import random, sys
rnd = random.Random(42)
rules = []
while sum(map(len, rules)) < 4096:
    sel = rnd.choice(["body", ".nav", "#main", "h1", ".btn", "a:hover", ".card > p", "footer"])
    rules.append(f"{sel} {{ margin: {rnd.randint(0,40)}px; color: #{rnd.randint(0,0xffffff):06x}; }}\n")
open(sys.argv[1], "w").write("".join(rules)[:4096])
PY
cp "$WORK/static/app.css" "$WORK/files/app.css"

rps() { taskset -c 1 wrk -t1 -c"$CONNS" -d"${DUR}s" "http://127.0.0.1:$PORT$1" | awk '/Requests\/sec/{print $2}'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
body() { curl -s "http://127.0.0.1:$PORT$1"; }

printf '%-12s %10s %12s %16s %10s %10s\n' framework hello whitenoise FileMiddleware wn/hello fm/hello
for fw in vapor hummingbird; do
  taskset -c 0 "$BENCH" "$fw" "$WORK" "$PORT" >/dev/null 2>&1 & pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/hello" && break; sleep 0.1; done
  # The same bytes through both middlewares.
  cmp <(body /static/app.css) "$WORK/static/app.css"
  cmp <(body /files/app.css) "$WORK/files/app.css"
  h=(); w=(); f=()
  for r in $(seq "$ROUNDS"); do
    if (( r % 2 )); then h+=("$(rps /hello)"); w+=("$(rps /static/app.css)"); f+=("$(rps /files/app.css)")
    else f+=("$(rps /files/app.css)"); w+=("$(rps /static/app.css)"); h+=("$(rps /hello)"); fi
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  hm=$(printf '%s\n' "${h[@]}" | median)
  wm=$(printf '%s\n' "${w[@]}" | median)
  fm=$(printf '%s\n' "${f[@]}" | median)
  printf '%-12s %10.0f %12.0f %16.0f %9.0f%% %9.0f%%\n' "$fw" "$hm" "$wm" "$fm" \
    "$(echo "100 * $wm / $hm" | bc -l)" "$(echo "100 * $fm / $hm" | bc -l)"
done
