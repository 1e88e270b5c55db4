#!/usr/bin/env bash
# Side-by-side collectstatic benchmark, in one run: Django 6.1 + WhiteNoise 6.12's
# CompressedManifestStaticFilesStorage against `whitenoise collectstatic`, on the static
# assets that real projects ship (the static folders of Django's admin, Wagtail, Django REST
# framework, the debug toolbar, jazzmin and fontawesome-free, from PyPI):
#
#   - cold (an empty STATIC_ROOT; ours also fills an empty compression cache),
#   - an unchanged re-run,
#   - a fresh STATIC_ROOT with a warm compression cache (what a CI or Docker build gets;
#     Django has no such cache, so its figure is its cold run),
#
# and how close our cold run is to its floor: the CPU time spent inside zlib/brotli/zstd
# divided by the cores, against the wall time. It also checks that both staticfiles.json
# are byte-identical and that every file the engine would serve is the same with and
# without the cache.
#
#   bash Benchmarks/collectstatic.sh
#   BENCH_DIR=/dev/shm bash Benchmarks/collectstatic.sh   # everything on a tmpfs
#
# Both sides write the same ~56,000 files; where creating a file is slow (an ext4 that has
# seen many deletions, as on a machine that runs test suites all day), that kernel time is a
# large part of a warm-cache run, so the tmpfs figure shows the work of the programs alone.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${BENCH_DIR:-/tmp}/whitenoise-collect-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Django 6.1 needs Python 3.12 or later.
python312=""
for candidate in python3.13 python3.12; do
  "$candidate" -c "import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)" >/dev/null 2>&1 && python312="$candidate" && break
done
if [ -z "$python312" ]; then
  for version in 3.13.0 3.12.1; do
    if PYENV_VERSION=$version python3 -c "import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)" 2>/dev/null; then
      python312="env PYENV_VERSION=$version python3"; break
    fi
  done
fi
[ -n "$python312" ] || { echo "needs a Python 3.12 or later (for Django 6.1)" >&2; exit 1; }
$python312 -m venv "$WORK/venv"
PY="$WORK/venv/bin/python3"
"$PY" -m pip install -q "django>=6.1,<6.2" "whitenoise==6.12.0" Brotli >/dev/null
# Only their static folders are used: no dependencies needed (nor wanted: their pins would
# replace Django 6.1).
"$PY" -m pip install -q --no-deps wagtail djangorestframework django-debug-toolbar django-jazzmin fontawesome-free >/dev/null
SITE=$("$PY" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
(cd "$ROOT" && swift build -c release --product whitenoise >/dev/null)
WN="$ROOT/.build/release/whitenoise"
CORES=$(getconf _NPROCESSORS_ONLN)

# Every app's static/ folder is a STATICFILES_DIRS entry, as the app finders would see them.
mapfile -t DIRS < <(find "$SITE" -type d -name static -path "*/static" | grep -v "/tests/" | sort)
echo "work folder: $WORK ($(df -T "$WORK" | awk 'NR==2 {print $2}'))"
echo "sources: ${#DIRS[@]} static folders, $(find "${DIRS[@]}" -type f | wc -l) files, $(du -shc "${DIRS[@]}" | tail -1 | cut -f1); $CORES cores"
echo "django: $("$PY" -c 'import django, whitenoise; print("Django", django.__version__, "+ WhiteNoise", whitenoise.__version__ if hasattr(whitenoise, "__version__") else "6.12")')"

cat > "$WORK/run_django.py" <<'PY'
import sys, time
import django
from django.conf import settings
settings.configure(
    STATIC_URL="/static/", STATIC_ROOT=sys.argv[1], STATICFILES_DIRS=sys.argv[2:],
    INSTALLED_APPS=["django.contrib.staticfiles"],
    STORAGES={"staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}},
    WHITENOISE_MANIFEST_STRICT=False,
)
django.setup()
from django.core.management import call_command
t = time.perf_counter()
call_command("collectstatic", interactive=False, verbosity=0)
print(f"{time.perf_counter() - t:.2f}")
PY

args=()
for d in "${DIRS[@]}"; do args+=(--source "$d"); done

django_cold=$("$PY" "$WORK/run_django.py" "$WORK/django_root" "${DIRS[@]}")
django_rerun=$("$PY" "$WORK/run_django.py" "$WORK/django_root" "${DIRS[@]}")

seconds() { local t0=$1 t1=$2; echo "$t1 - $t0" | bc -l; }
t0=$(date +%s.%N)
cold_line=$("$WN" collectstatic --static-root "$WORK/our_root" "${args[@]}" --cache-dir "$WORK/cache" -v 1 --missing-references fail)
t1=$(date +%s.%N)
"$WN" collectstatic --static-root "$WORK/our_root" "${args[@]}" --cache-dir "$WORK/cache" -v 0
t2=$(date +%s.%N)
warm_line=$("$WN" collectstatic --static-root "$WORK/fresh_root" "${args[@]}" --cache-dir "$WORK/cache" -v 1)
t3=$(date +%s.%N)
ours_cold=$(seconds "$t0" "$t1"); ours_rerun=$(seconds "$t1" "$t2"); ours_warm=$(seconds "$t2" "$t3")

# CPU time inside the compression libraries, from the summary line ("…, 98.3 s CPU compressing").
codec_cpu=$(echo "$cold_line" | sed -n 's/.* \([0-9.]*\) s CPU compressing.*/\1/p')
floor=$(echo "${codec_cpu:-0} / $CORES" | bc -l)

if cmp -s "$WORK/django_root/staticfiles.json" "$WORK/our_root/staticfiles.json"; then same="identical"; else same="DIFFERENT"; fi
served_same="identical"
while IFS= read -r -d '' f; do
  rel=${f#"$WORK/our_root/"}
  case "$rel" in staticfiles.digests) continue ;; esac
  cmp -s "$f" "$WORK/fresh_root/$rel" || { served_same="DIFFERENT ($rel)"; break; }
done < <(find "$WORK/our_root" -type f -print0)
[ "$(find "$WORK/our_root" -type f | wc -l)" = "$(find "$WORK/fresh_root" -type f | wc -l)" ] || served_same="DIFFERENT (file count)"

echo "ours, cold:       $cold_line"
echo "ours, warm cache: $warm_line"
printf '%-34s %10s %10s %8s\n' run django+whitenoise ours speed-up
printf '%-34s %9.2fs %9.2fs %7.1fx\n' cold "$django_cold" "$ours_cold" "$(echo "$django_cold / $ours_cold" | bc -l)"
printf '%-34s %9.2fs %9.2fs %7.1fx\n' "unchanged re-run" "$django_rerun" "$ours_rerun" "$(echo "$django_rerun / $ours_rerun" | bc -l)"
printf '%-34s %9.2fs %9.2fs %7.1fx\n' "fresh STATIC_ROOT, warm cache" "$django_cold" "$ours_warm" "$(echo "$django_cold / $ours_warm" | bc -l)"
printf 'cold floor: %.1f s CPU in the compression libraries / %d cores = %.1f s; wall %.1f s (%.0f%% of the way to the floor)\n' \
  "${codec_cpu:-0}" "$CORES" "$floor" "$ours_cold" "$(echo "100 * $floor / $ours_cold" | bc -l)"
echo "staticfiles.json vs Django 6.1: $same ($(grep -o '": "' "$WORK/our_root/staticfiles.json" | wc -l) names)"
echo "fresh root with a warm cache vs cold: $served_same"
