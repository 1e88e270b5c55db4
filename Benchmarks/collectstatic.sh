#!/usr/bin/env bash
# Side-by-side collectstatic benchmark: Django 5.2 + WhiteNoise's
# CompressedManifestStaticFilesStorage against `whitenoise collectstatic`, on the static
# assets that real projects ship (Django's admin, Wagtail, Django REST framework, the
# debug toolbar, from PyPI), cold and on an unchanged re-run, and checks that both
# staticfiles.json are byte-identical.
#
#   bash Benchmarks/collectstatic.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/whitenoise-collect-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

python3 -m pip install -q --target "$WORK/site" "django>=5.2,<5.3" "whitenoise==6.12.0" Brotli \
  wagtail djangorestframework django-debug-toolbar >/dev/null 2>&1
(cd "$ROOT" && swift build -c release --product whitenoise >/dev/null)
WN="$ROOT/.build/release/whitenoise"

# Every app's static/ folder is a STATICFILES_DIRS entry, as the app finders would see them.
mapfile -t DIRS < <(find "$WORK/site" -type d -name static -path "*/static" | grep -v "/tests/" | sort)
echo "sources: ${#DIRS[@]} static folders, $(find "${DIRS[@]}" -type f | wc -l) files, $(du -shc "${DIRS[@]}" | tail -1 | cut -f1)"

cat > "$WORK/run_django.py" <<'PY'
import sys, time
sys.path.insert(0, sys.argv[1])
import django
from django.conf import settings
settings.configure(
    STATIC_URL="/static/", STATIC_ROOT=sys.argv[2], STATICFILES_DIRS=sys.argv[3:],
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

django_cold=$(python3 "$WORK/run_django.py" "$WORK/site" "$WORK/django_root" "${DIRS[@]}")
django_warm=$(python3 "$WORK/run_django.py" "$WORK/site" "$WORK/django_root" "${DIRS[@]}")

t0=$(date +%s.%N); "$WN" collectstatic --static-root "$WORK/our_root" "${args[@]}" -v 0 --missing-references fail; t1=$(date +%s.%N)
"$WN" collectstatic --static-root "$WORK/our_root" "${args[@]}" -v 0; t2=$(date +%s.%N)
ours_cold=$(echo "$t1 - $t0" | bc -l); ours_warm=$(echo "$t2 - $t1" | bc -l)

if cmp -s "$WORK/django_root/staticfiles.json" "$WORK/our_root/staticfiles.json"; then same="identical"; else same="DIFFERENT"; fi
printf '%-22s %10s %10s %8s\n' run django+whitenoise ours speed-up
printf '%-22s %9.2fs %9.2fs %7.1fx\n' cold "$django_cold" "$ours_cold" "$(echo "$django_cold / $ours_cold" | bc -l)"
printf '%-22s %9.2fs %9.2fs %7.1fx\n' "unchanged re-run" "$django_warm" "$ours_warm" "$(echo "$django_warm / $ours_warm" | bc -l)"
echo "staticfiles.json: $same"
