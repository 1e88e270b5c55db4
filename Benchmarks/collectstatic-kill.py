#!/usr/bin/env python3
"""collectstatic killed at random moments, black-box, on real projects' static files
(issue #11 point 4; Docs/collectstatic.md says what is guaranteed).

The sources are the static folders of Django's admin, Wagtail, Django REST framework, the
debug toolbar, jazzmin and fontawesome-free, from PyPI (7,051 files). Release 1 is collected into a
STATIC_ROOT. Release 2 changes, adds and removes files. Each trial copies release 1's
STATIC_ROOT, starts `whitenoise collectstatic` of release 2 into the copy, and sends it SIGKILL:
without the cache, at a random point of its progress (its log lines, or the metadata phase
after the last one); with the shared compression cache (every other trial), at a random
moment of its run. Then, with `whitenoise serve` on the killed folder:

  - every URL answers 200 with release 1's or release 2's bytes of that file;
  - with Accept-Encoding gzip, br and zstd, each body decodes to that same version;
  - every ETag is the XXH64 of the bytes it came with (so the digest index agrees with them);
  - staticfiles.json is release 1's or release 2's, byte for byte;

and the next run exits 0, leaves exactly the files an uninterrupted run leaves (names and
bytes), serves them as above, and leaves no temporary file.

    python3 Benchmarks/collectstatic-kill.py [--trials 24] [--seed 1]

WN=path/to/whitenoise skips the release build. Prints one line per trial, then a summary;
exits 1 if any check failed.
"""
import argparse, gzip, http.client, os, random, shutil, signal, socket, subprocess, sys, tempfile, time
from urllib.parse import quote

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGES = ["django>=6.1,<6.2", "wagtail", "djangorestframework", "django-debug-toolbar", "django-jazzmin", "fontawesome-free"]
DECODERS = ["brotli", "zstandard", "xxhash"]
METADATA = {"staticfiles.digests", "staticfiles.cache", "staticfiles.integrity.json", ".whitenoise-collectstatic.lock"}
# Files that record a run's own state (mtimes, the lock), not what is served.
RUN_STATE = ("staticfiles.digests", "staticfiles.cache", ".whitenoise-collectstatic.lock")
VARIANTS = {".gz": "gzip", ".br": "br", ".zst": "zstd", ".zstd": "zstd"}


def pip_target(target, packages, extra):
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", target, *extra, *packages], check=True)


def tree(root):
    """Every regular file under root: relative path -> bytes."""
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as f:
                    out[os.path.relpath(path, root)] = f.read()
    return out


def make_release2(src1, src2, rng):
    """src2 = src1 with 2% of CSS and JS changed, 40 files added, 40 unreferenced files removed."""
    shutil.copytree(src1, src2, symlinks=True)
    files = sorted(tree(src2))
    texts = [f for f in files if f.endswith((".css", ".js"))]
    changed = rng.sample(texts, max(10, len(texts) // 50))
    for f in changed:
        with open(os.path.join(src2, f), "ab") as out:
            out.write(b"\n/* release 2 */\n")
    contents = tree(src2)
    referenced = b"\n".join(contents[f] for f in texts)
    removable = [f for f in files if f.endswith((".js", ".png", ".svg", ".txt")) and os.path.basename(f).encode() not in referenced]
    removed = rng.sample(removable, 40)
    for f in removed:
        os.unlink(os.path.join(src2, f))
    sources = sorted(os.listdir(src2))
    for i in range(40):
        folder = os.path.join(src2, rng.choice(sources), "release2")
        os.makedirs(folder, exist_ok=True)
        ext = [".css", ".js", ".txt"][i % 3]
        with open(os.path.join(folder, f"added{i}{ext}"), "w") as out:
            out.write((f".added{i} {{ margin: {i}px }}\n" if ext == ".css" else f"export const added{i} = {i};\n") * (20 + i * 37))
    return len(changed), len(removed), 40


def collect(wn, root, sources, cache, verbose=False):
    args = [wn, "collectstatic", "--static-root", root, "-v", "2" if verbose else "0"]
    for s in sources:
        args += ["--source", s]
    args += ["--cache-dir", cache] if cache else ["--no-cache"]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`whitenoise serve` on a folder, stopped by PID."""

    def __init__(self, wn, root):
        self.port = free_port()
        self.process = subprocess.Popen([wn, "serve", root, "--port", str(self.port), "--log-level", "error"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"serve did not start on {root}")
                time.sleep(0.02)
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def get(self, url, coding):
        self.connection.request("GET", url, headers={"Accept-Encoding": coding})
        r = self.connection.getresponse()
        return r.status, r.getheader("Content-Encoding"), r.getheader("ETag"), r.read()

    def stop(self):
        self.connection.close()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def check_served(wn, root, versions, decoders, problems, label):
    """Every URL of root, in every encoding, is one of `versions` of that file."""
    brotli, zstandard, xxhash = decoders
    decode = {"gzip": gzip.decompress, "br": brotli.decompress,
              "zstd": lambda b: zstandard.ZstdDecompressor().decompress(b, max_output_size=1 << 30)}
    files = tree(root)
    urls = [f for f in files if f not in METADATA and ".tmp-" not in f
            and not any(f.endswith(s) and f[: -len(s)] in files for s in VARIANTS)]
    server = Server(wn, root)
    requests = 0
    try:
        for name in urls:
            url = "/" + quote(name)
            status, encoding, etag, body = server.get(url, "identity")
            requests += 1
            if status != 200 or encoding:
                problems.append(f"{label}: {name}: identity answered {status} {encoding}")
                continue
            if not any(v.get(name) == body for v in versions):
                problems.append(f"{label}: {name}: the body is no version of the file")
            if etag != f'"{xxhash.xxh64(body).hexdigest()}"':
                problems.append(f"{label}: {name}: ETag {etag} is not the digest of the identity body")
            for coding in ("gzip", "br", "zstd"):
                status, encoding, coded_etag, coded = server.get(url, coding)
                requests += 1
                decoded = decode[encoding](coded) if encoding in decode else coded
                if status != 200 or encoding not in (None, coding):
                    problems.append(f"{label}: {name}: {coding} answered {status} {encoding}")
                elif decoded != body:
                    problems.append(f"{label}: {name}: the {coding} body is another version than the identity body")
                elif coded_etag != f'"{xxhash.xxh64(coded).hexdigest()}"':
                    problems.append(f"{label}: {name}: {coding} ETag is not the digest of its bytes")
    finally:
        server.stop()
    return len(urls), requests


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--trials", type=int, default=24)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="whitenoise-kill-", dir=os.environ.get("BENCH_DIR"))
    try:
        pip_target(f"{work}/site", PACKAGES, ["--no-deps", "--ignore-requires-python"])
        pip_target(f"{work}/py", DECODERS, [])
        sys.path.insert(0, f"{work}/py")
        import brotli, xxhash, zstandard
        decoders = (brotli, zstandard, xxhash)
        wn = os.environ.get("WN")
        if not wn:
            subprocess.run(["swift", "build", "-c", "release", "--product", "whitenoise"], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
            wn = f"{ROOT}/.build/release/whitenoise"
        # Every app's static/ folder is a source (a STATICFILES_DIRS entry), copied so it can be edited.
        src1, src2 = f"{work}/src1", f"{work}/src2"
        os.makedirs(src1)
        dirs = sorted(d for d, _, _ in os.walk(f"{work}/site") if os.path.basename(d) == "static" and "/tests/" not in d)
        for i, d in enumerate(dirs):
            shutil.copytree(d, f"{src1}/{i:02d}", symlinks=True)
        changed, removed, added = make_release2(src1, src2, rng)
        sources1 = [f"{src1}/{s}" for s in sorted(os.listdir(src1))]
        sources2 = [f"{src2}/{s}" for s in sorted(os.listdir(src2))]
        print(f"sources: {len(dirs)} static folders, {len(tree(src1))} files; release 2 changes {changed}, "
              f"removes {removed}, adds {added}")

        release1, uninterrupted, cache = f"{work}/release1", f"{work}/uninterrupted", f"{work}/cache"
        run = collect(wn, release1, sources1, cache)
        if run.wait() != 0:
            sys.exit(f"release 1 failed: {run.stderr.read().decode()}")
        def timed(root, cache):
            """An uninterrupted run of release 2 into a copy of release 1: its log lines, and
            the time from its last line to its exit (the metadata phase)."""
            subprocess.run(["cp", "-a", release1, root], check=True)
            started = time.monotonic()
            run = collect(wn, root, sources2, cache, verbose=True)
            count, last = 0, time.monotonic()
            for _ in run.stderr:
                count, last = count + 1, time.monotonic()
            if run.wait() != 0:
                sys.exit("release 2 failed")
            return count, time.monotonic() - last, time.monotonic() - started

        lines, tail, seconds = timed(uninterrupted, None)
        # With the cache (filled by this run), as the cached trials will find it.
        lines_cached, tail_cached, seconds_cached = timed(f"{work}/uninterrupted-cached", cache)
        old, new = tree(release1), tree(uninterrupted)
        with_cache = {k: v for k, v in tree(f"{work}/uninterrupted-cached").items() if k not in RUN_STATE}
        without = {k: v for k, v in new.items() if k not in RUN_STATE}
        differing = sorted(set(with_cache) ^ set(without) | {k for k in without if with_cache.get(k) != without[k]})
        if differing:
            sys.exit(f"the run with the cache differs from the run without it in {len(differing)} files, e.g. {differing[:5]}")
        shutil.rmtree(f"{work}/uninterrupted-cached")
        expected = {k: v for k, v in new.items() if k not in RUN_STATE}
        print(f"release 1: {len(old)} files in STATIC_ROOT; an uninterrupted run of release 2 takes {seconds:.2f} s "
              f"without the cache, logs {lines} lines (-v 2; {lines_cached} with the cache) and leaves {len(new)} files; "
              f"its metadata phase after the last line takes {tail * 1000:.0f} ms; with the cache the run takes {seconds_cached:.2f} s")
        problems, totals = [], {"urls": 0, "requests": 0, "killed": 0, "ended": 0}
        for trial in range(args.trials):
            cached = trial % 2 == 1
            root = f"{work}/trial{trial}"
            subprocess.run(["cp", "-a", release1, root], check=True)
            before = len(problems)
            # Without the cache: a point of the run's progress (its log lines), as KillTests
            # does, and one trial in two after the last line, at a random moment of the
            # metadata phase. With the cache the run is too quick for its log to be followed: a
            # random moment of its measured duration.
            run = collect(wn, root, sources2, cache if cached else None, verbose=not cached)
            if cached:
                extra = rng.uniform(0, seconds_cached)
                where = f"{extra:.2f} s of {seconds_cached:.2f}"
            else:
                point = lines if trial % 4 == 2 else rng.randint(1, lines)
                seen = 0
                while seen < point and run.stderr.readline():
                    seen += 1
                extra = rng.uniform(0, tail) if point == lines else 0
                where = f"line {point} of {lines}" + (f" + {extra * 1000:.0f} ms" if extra else "")
            time.sleep(extra)
            run.send_signal(signal.SIGKILL)
            status = run.wait()
            killed = status == -signal.SIGKILL
            totals["killed" if killed else "ended"] += 1
            label = f"trial {trial} (killed at {where}{', cache' if cached else ''})"
            manifest = open(f"{root}/staticfiles.json", "rb").read() if os.path.exists(f"{root}/staticfiles.json") else None
            if manifest not in (old.get("staticfiles.json"), new.get("staticfiles.json")):
                problems.append(f"{label}: staticfiles.json is neither release's")
            urls, requests = check_served(wn, root, (old, new), decoders, problems, label)
            totals["urls"] += urls
            totals["requests"] += requests
            temporary = sum(".tmp-" in f for f in tree(root))
            again = collect(wn, root, sources2, cache if cached else None)
            if again.wait() != 0:
                problems.append(f"{label}: the next run failed: {again.stderr.read().decode()[:300]}")
            finished = {k: v for k, v in tree(root).items() if k not in RUN_STATE}
            differing = sorted(set(finished) ^ set(expected) | {k for k in expected if finished.get(k) != expected[k]})
            if differing:
                problems.append(f"{label}: the next run differs from an uninterrupted one in {len(differing)} files, e.g. {differing[:3]}")
            if any(".tmp-" in f for f in finished):
                problems.append(f"{label}: the next run left temporary files")
            _, requests = check_served(wn, root, (new,), decoders, problems, label + " then re-run")
            totals["requests"] += requests
            print(f"{label}: {'killed' if killed else 'ended before the kill'}, {temporary} temporary files left, "
                  f"{'release 2' if manifest == new.get('staticfiles.json') else 'release 1'} manifest; "
                  f"{urls} URLs x 4 encodings checked; re-run {'ok' if again.returncode == 0 else 'FAILED'}; "
                  f"{len(problems) - before} problems", flush=True)
            shutil.rmtree(root)
        print(f"\n{args.trials} trials: {totals['killed']} killed mid-run, {totals['ended']} ended first; "
              f"{totals['requests']} requests checked; {len(problems)} problems")
        for line in problems[:40]:
            print("  " + line)
        sys.exit(1 if problems else 0)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
