# Slow clients against a running server (docs/operations.md, "Limits and hostile clients"):
#   python3 scripts/slow-clients.py PORT 1000
# Loopback only, bounded: N slow connections sending one header byte per second for at most 15 s, while /health is
# timed every 200 ms over fresh connections. Prints when the server closed the slow ones and the /health latencies.
import asyncio, sys, time
PORT, N, DURATION = int(sys.argv[1]), int(sys.argv[2]), 15.0
head = b"GET /health HTTP/1.1\r\nHost: a\r\nX-Slow: " + b"a" * 40 + b"\r\n\r\n"
closed, statuses, refused = [], {}, 0
async def slow(start):
    global refused
    try:
        r, w = await asyncio.open_connection("127.0.0.1", PORT)
    except OSError:
        refused += 1; return
    t0 = time.monotonic(); data = b""
    async def reader():
        nonlocal data
        while True:
            chunk = await r.read(4096)
            if not chunk: return
            data += chunk
    rt = asyncio.create_task(reader())
    for b in head:
        if rt.done() or time.monotonic() - start > DURATION: break
        try:
            w.write(bytes([b])); await w.drain()
        except (ConnectionError, OSError):
            break
        try:
            await asyncio.wait_for(asyncio.shield(rt), 1.0)
        except asyncio.TimeoutError:
            pass
    try:
        await asyncio.wait_for(rt, max(0.1, DURATION - (time.monotonic() - start)))
        closed.append(time.monotonic() - t0)
        st = data[9:12].decode(errors="replace") if data else "none"
        statuses[st] = statuses.get(st, 0) + 1
    except (asyncio.TimeoutError, ConnectionError, OSError):
        pass
    w.close()
async def health(start, lat):
    while time.monotonic() - start < DURATION:
        t = time.monotonic()
        r, w = await asyncio.open_connection("127.0.0.1", PORT)
        w.write(b"GET /health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"); await w.drain()
        data = await r.read()
        lat.append((time.monotonic() - t) * 1000); w.close()
        await asyncio.sleep(0.2)
async def main():
    start = time.monotonic(); lat = []
    await asyncio.gather(*[slow(start) for _ in range(N)], health(start, lat))
    lat.sort()
    print(f"slow connections: {N}, refused at connect: {refused}, closed by server: {len(closed)}, statuses {statuses}")
    if closed: print(f"closed after: min {min(closed):.2f} s, max {max(closed):.2f} s")
    print(f"/health: {len(lat)} requests, p50 {lat[len(lat)//2]:.1f} ms, max {lat[-1]:.1f} ms")
asyncio.run(main())
