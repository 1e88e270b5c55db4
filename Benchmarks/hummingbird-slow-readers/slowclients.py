"""N slow readers (small SO_RCVBUF, RATE bytes/s each) against 127.0.0.1:PORT/stream; samples server RSS."""
import os, socket, sys, time, urllib.request, subprocess
pid, n, dur = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
port = int(os.environ.get("PORT", "8099")); rate = int(os.environ.get("RATE", "16384"))
rcvbuf = int(os.environ.get("RCVBUF", "16384"))
def rss():
    for l in open(f"/proc/{pid}/status"):
        if l.startswith("VmRSS"): return int(l.split()[1]) // 1024
def stats():
    return urllib.request.urlopen(f"http://127.0.0.1:{port}/stats", timeout=10).read().decode().strip()
def kernel_sendq():
    out = subprocess.run(["ss", "-tnH", "state", "established", f"( sport = :{port} )"], capture_output=True, text=True).stdout
    return sum(int(l.split()[1]) for l in out.splitlines() if l.strip())  # Send-Q bytes
base = rss(); print(f"baseline RSS {base} MiB", flush=True)
socks = []
for i in range(n):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", port)); s.sendall(("GET " + os.environ.get("URLPATH", "/stream") + " HTTP/1.1").encode() + b"\r\nHost: x\r\n\r\n"); s.setblocking(False)
    socks.append(s)
got = [0] * n; t0 = time.time(); nxt = t0; peak = base; tick = 0.1
while time.time() - t0 < dur:
    for i, s in enumerate(socks):
        want = int(rate * tick)
        while want > 0:
            try: d = s.recv(want)
            except BlockingIOError: break
            if not d: break
            got[i] += len(d); want -= len(d)
    now = time.time()
    if now >= nxt:
        r = rss(); peak = max(peak, r)
        print(f"t={now-t0:5.1f}s RSS={r} MiB (+{r-base}) clientGot={sum(got)>>20} MiB kernelSendQ={kernel_sendq()>>20} MiB | {stats()}", flush=True)
        nxt += 5
    time.sleep(tick)
for s in socks: s.close()
time.sleep(2)
r = rss(); print(f"peak +{peak-base} MiB ({(peak-base)/n:.2f} MiB/conn); after close RSS={r} MiB (+{r-base})", flush=True)
