#!/usr/bin/env python3
"""Files rewritten under load, black-box (issue #11's harness; Docs/serving.md).

CLIENTS keep-alive clients GET a file for SECONDS while it is replaced RATE times a
second, alternately by an atomic rename and by truncate-and-rewrite in place; 8 versions of
about 300 KB, all of different sizes and different at every byte. Every complete 200 body is
checked against every version written, and each ETag against the version it came with.

    python3 Benchmarks/changing-file.py --port PORT --path /static/app.bin --file STATIC_ROOT/app.bin

Prints one line: complete responses, how many were exactly one version, 503s, connections
ended mid-body, and the wrong ones by kind (empty, prefix, mixed, other). Start the server on
the folder that holds FILE first; the script writes FILE's first version itself before the
clients start, so start the server after writing it once (--write-only) if it scans at
start-up.
"""
import argparse, os, socket, threading, time

def versions():
    return [bytes(((i * 7 + v * 37) & 0xFF) for i in range(300_000 + v * 4_099)) for v in range(8)]

def read_response(sock, buf):
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    length = int(fields.get("content-length", "0"))
    while len(buf) < length:
        chunk = sock.recv(max(65536, length - len(buf)))
        if not chunk:
            raise ConnectionError("closed mid-body")
        buf += chunk
    return status, fields, buf[:length], buf[length:]

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", required=True)
    p.add_argument("--file", required=True)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--rate", type=float, default=20)
    p.add_argument("--write-only", action="store_true")
    a = p.parse_args()
    vs = versions()
    with open(a.file, "wb") as f:
        f.write(vs[0])
    if a.write_only:
        return
    by_size = {len(v): i for i, v in enumerate(vs)}
    lock = threading.Lock()
    t = dict(complete=0, consistent=0, unavailable=0, aborted=0, empty=0, prefix=0, mixed=0, other=0, etag_conflicts=0)
    etags = {}
    seen = set()
    stop = time.monotonic() + a.seconds

    def client():
        sock, buf = None, b""
        request = f"GET {a.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
        while time.monotonic() < stop:
            try:
                if sock is None:
                    sock, buf = socket.create_connection(("127.0.0.1", a.port), timeout=10), b""
                sock.sendall(request)
                status, fields, body, buf = read_response(sock, buf)
            except (ConnectionError, OSError):
                with lock:
                    t["aborted"] += 1
                if sock:
                    sock.close()
                sock = None
                continue
            with lock:
                if status == 503:
                    t["unavailable"] += 1
                    continue
                t["complete"] += 1
                v = by_size.get(len(body))
                if v is not None and body == vs[v]:
                    t["consistent"] += 1
                    seen.add(v)
                    tag = fields.get("etag")
                    if etags.setdefault(tag, v) != v:
                        t["etag_conflicts"] += 1
                elif not body:
                    t["empty"] += 1
                elif any(v.startswith(body) for v in vs):
                    t["prefix"] += 1
                elif status == 200 and any(body[:4096] == v[:4096] for v in vs):
                    t["mixed"] += 1
                else:
                    t["other"] += 1

    threads = [threading.Thread(target=client) for _ in range(a.clients)]
    for th in threads:
        th.start()
    n = 0
    while time.monotonic() < stop:
        n += 1
        data = vs[n % len(vs)]
        if n % 2:
            with open(a.file + ".new", "wb") as f:
                f.write(data)
            os.rename(a.file + ".new", a.file)
        else:
            fd = os.open(a.file, os.O_WRONLY | os.O_TRUNC)
            third = len(data) // 3
            for piece in (data[:third], data[third:2 * third], data[2 * third:]):
                os.write(fd, piece)
            os.close(fd)
        time.sleep(1 / a.rate)
    for th in threads:
        th.join()
    wrong = t["complete"] - t["consistent"]
    print(f"{t['complete']} complete, {t['consistent']} exactly one version, {wrong} wrong "
          f"(empty {t['empty']}, prefix {t['prefix']}, mixed {t['mixed']}, other {t['other']}), "
          f"{t['unavailable']} 503, {t['aborted']} ended mid-response, {t['etag_conflicts']} ETag conflicts, "
          f"{n} changes, {len(seen)} versions served")

if __name__ == "__main__":
    main()
