#!/usr/bin/env python3
"""Sends a file of request paths one at a time over one kept-alive connection and reports the latency distribution
and the slowest paths: a way to find inputs that are slow on their own (a bad plan), apart from load.

  python3 bench/sweep.py --base http://127.0.0.1:8080 --token "$READER" --paths paths.txt [--count 2000]

Paths like make bench's: `python3 -c 'import sys; sys.path.insert(0, "bench"); import bench;
print("\\n".join(bench.catalog_paths("title_search", 2000, 100000, 200000)))' > paths.txt`.
"""
import argparse
import http.client
import time
from urllib.parse import urlsplit


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="server base URL (http)")
    parser.add_argument("--token", required=True, help="bearer token")
    parser.add_argument("--paths", required=True, help="file with one request path per line")
    parser.add_argument("--count", type=int, default=2000, help="paths to send, from the top of the file")
    parser.add_argument("--slowest", type=int, default=5, help="slowest paths to list")
    args = parser.parse_args()
    base = urlsplit(args.base)
    connection = http.client.HTTPConnection(base.hostname, base.port or 80, timeout=30)
    with open(args.paths) as lines:
        paths = [line.strip() for line in lines if line.strip()][:args.count]
    timings = []
    for path in paths:
        started = time.perf_counter()
        connection.request("GET", path, headers={"Authorization": f"Bearer {args.token}"})
        response = connection.getresponse()
        body = response.read()
        timings.append(((time.perf_counter() - started) * 1000, path, response.status, len(body)))
    ordered = sorted(t[0] for t in timings)

    def at(fraction):
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]
    print(f"{len(ordered)} requests: median {at(0.5):.2f} ms, p90 {at(0.9):.2f}, p99 {at(0.99):.2f}, max {ordered[-1]:.2f}")
    for took, path, status, size in sorted(timings, reverse=True)[:args.slowest]:
        print(f"  {took:8.1f} ms  {status}  {size:>7} B  {path}")


if __name__ == "__main__":
    main()
