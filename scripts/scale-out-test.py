#!/usr/bin/env python3
"""Three Assay servers behind a throw-away HAProxy, one Postgres and one Redis: what scaling out promises, checked.

    python3 scripts/scale-out-test.py --binary .build/debug/assay --postgres-url URL --redis-url URL

scripts/scale-out-test.sh starts the services and gives this an empty database (scripts/test.sh runs it). The
balancer's settings are deploy/haproxy/haproxy.cfg's, with loopback addresses. Everything listens on 127.0.0.1, every
load loop is bounded in time, and every process started here is stopped on exit. Checks, one line each:

  1. a second POST /etl through any replica (or the balancer) gets 409 while a run is in progress, and every replica
     shows that run;
  2. a token revoked through one replica is refused by every replica within ASSAY_TOKEN_CACHE_SECONDS;
  3. a view recorded through one replica invalidates the cached analytics every replica answers (Redis cache);
  4. /stats totals, read on every replica, equal the /api hits sent across the replicas;
  5. a rolling restart of the replicas one by one (SIGTERM, drain, start again) under a bounded load through the
     balancer loses no request: every answer is a 2xx, and the /api hits counted equal the ones answered.
Prints the figures (requests, failures, retries, time to drain) and exits non-zero on any failure.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADMIN = "assay_scale-out-admin-secret-0123456789abcdefgh"
TOKEN_CACHE_SECONDS = 2.0
DRAIN_SECONDS = 2.0
REPLICAS = 3

failures = []


def say(line):
    print(f"scale-out: {line}", flush=True)


def check(condition, what):
    say(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)
    return condition


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, token=ADMIN, timeout=30, headers=None):
    """One request on a new connection: (status, parsed JSON or text, headers)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        raw = response.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return response.status, parsed, dict(response.getheaders())
    finally:
        connection.close()


class Replica:
    def __init__(self, index, binary, environment, workdir):
        self.index = index
        self.binary = binary
        self.port = free_port()
        self.environment = dict(environment, ASSAY_PORT=str(self.port))
        self.log_path = os.path.join(workdir, f"assay-{index}.log")
        self.process = None

    def start(self):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [self.binary, "serve"], env=self.environment, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()

    def wait_ready(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"assay-{self.index} exited with {self.process.returncode}; see {self.log_path}")
            try:
                if request(self.port, "GET", "/ready", token=None, timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"assay-{self.index} was not ready within {seconds} s; see {self.log_path}")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Sends `sig` and waits for the exit: the seconds it took and the exit status."""
        if self.process is None or self.process.poll() is not None:
            return 0.0, self.process.returncode if self.process else None
        started = time.monotonic()
        self.process.send_signal(sig)
        try:
            status = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        return time.monotonic() - started, status


class Balancer:
    """HAProxy with deploy/haproxy/haproxy.cfg's settings, bound to loopback, pointing at the replicas' ports."""

    def __init__(self, replicas, workdir):
        self.port = free_port()
        self.socket_path = os.path.join(workdir, "haproxy.sock")
        template = open(os.path.join(ROOT, "deploy/haproxy/haproxy.cfg")).read()
        lines = []
        for line in template.splitlines():
            stripped = line.strip()
            if stripped == "global":
                lines += [line, f"    stats socket {self.socket_path} level admin"]
                continue
            if stripped.startswith("bind "):
                line = f"    bind 127.0.0.1:{self.port}"
            if stripped.startswith("server assay-"):
                index = int(stripped.split()[1].split("-")[1])
                line = f"    server assay-{index} 127.0.0.1:{replicas[index - 1].port} check"
            lines.append(line)
        self.config = os.path.join(workdir, "haproxy.cfg")
        with open(self.config, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.log_path = os.path.join(workdir, "haproxy.log")
        self.process = None

    def start(self):
        subprocess.run(["haproxy", "-c", "-q", "-f", self.config], check=True)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(["haproxy", "-db", "-f", self.config], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()

    def command(self, text):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(2)
            s.connect(self.socket_path)
            s.sendall(text.encode() + b"\n")
            chunks = []
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def stats(self):
        """The backend's servers and totals from `show stat`: {name: {field: value}}."""
        text = self.command("show stat")
        header, *rows = [line for line in text.splitlines() if line]
        fields = header.lstrip("# ").split(",")
        table = {}
        for row in rows:
            values = dict(zip(fields, row.split(",")))
            if values.get("pxname") == "assay":
                table[values["svname"]] = values
        return table

    def wait_up(self, names, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                stats = self.stats()
                if all(stats.get(name, {}).get("status", "").startswith("UP") for name in names):
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def first_run(page):
    items = page.get("items") if isinstance(page, dict) else None
    return items[0] if items else None


def check_etl(replicas, balancer, workdir):
    """While one run is in progress, every other POST /etl gets 409 and every replica shows the run."""
    status, body, _ = request(replicas[0].port, "POST", "/etl")
    started = body.get("run", {}) if isinstance(body, dict) else {}
    if not check(status == 202 and started.get("status") == "running", f"POST /etl through assay-1 starts a run (202, got {status})"):
        return
    run_id = started.get("id")
    conflicts = []
    for target, port in [("assay-2", replicas[1].port), ("assay-3", replicas[2].port), ("balancer", balancer.port)]:
        conflicts.append((target, request(port, "POST", "/etl")[0]))
    seen = []
    for replica in replicas:
        run = first_run(request(replica.port, "GET", "/etl/runs?limit=1")[1])
        seen.append((run or {}).get("id") == run_id and (run or {}).get("status") == "running")
    still_running = first_run(request(replicas[0].port, "GET", "/etl/runs?limit=1")[1]) or {}
    if not check(still_running.get("status") == "running", "the run was still in progress when the conflicts were sent"):
        say("  (the run finished too fast to test the conflict; make the export bigger)")
    check(all(code == 409 for _, code in conflicts), f"a second POST /etl gets 409 while it runs: {conflicts}")
    check(all(seen), f"every replica shows run {run_id} as running: {seen}")
    deadline = time.monotonic() + 120
    final = {}
    while time.monotonic() < deadline:
        final = first_run(request(replicas[2].port, "GET", f"/etl/runs?limit=1")[1]) or {}
        if final.get("status") != "running":
            break
        time.sleep(0.2)
    check(final.get("id") == run_id and final.get("status") == "success", f"the run finished, seen through assay-3: {final.get('status')}")


def check_token_revocation(replicas):
    """A token revoked through one replica is refused by all of them within ASSAY_TOKEN_CACHE_SECONDS."""
    status, body, _ = request(replicas[0].port, "POST", "/tokens", {"name": "scale-out reader", "scopes": ["read"]})
    if not check(status == 201, f"a read token is created through assay-1 (got {status})"):
        return
    secret, token_id = body["token"], body["id"]
    # Every replica looks the token up now and caches it.
    trusted = [request(r.port, "GET", "/genesets?limit=1", token=secret)[0] for r in replicas]
    check(trusted == [200] * REPLICAS, f"every replica accepts it: {trusted}")
    status, _, _ = request(replicas[1].port, "DELETE", f"/tokens/{token_id}")
    revoked_at = time.monotonic()
    check(status == 204, f"it is revoked through assay-2 (got {status})")
    refused_after = [None] * REPLICAS
    deadline = revoked_at + TOKEN_CACHE_SECONDS + 3
    while time.monotonic() < deadline and None in refused_after:
        for index, replica in enumerate(replicas):
            if refused_after[index] is None and request(replica.port, "GET", "/genesets?limit=1", token=secret)[0] == 401:
                refused_after[index] = time.monotonic() - revoked_at
        time.sleep(0.05)
    # A cache entry made just before the revocation may live its full time; the checks' own round trips come on top.
    bound = TOKEN_CACHE_SECONDS + 0.5
    shown = ", ".join(f"assay-{i + 1} {t:.2f} s" if t is not None else f"assay-{i + 1} never" for i, t in enumerate(refused_after))
    check(all(t is not None and t <= bound for t in refused_after), f"every replica refuses it within {bound:.1f} s: {shown}")


def check_analytics_cache(replicas):
    """A view recorded through one replica invalidates the cached analytics of every replica (one Redis cache)."""
    status, product, _ = request(replicas[0].port, "POST", "/products", {"name": "Scale-out pipette", "category": "consumables", "price": 1.5})
    if not check(status == 201, f"a product is created (got {status})"):
        return
    path = f"/products/{product['id']}"
    request(replicas[0].port, "POST", path + "/views", {"user_id": 1})
    answers = [request(r.port, "GET", path + "/analytics?days=30")[1] for r in replicas]
    answers += [request(r.port, "GET", path + "/analytics?days=30")[1] for r in replicas]
    check(all(a["views"] == 1 for a in answers) and all(a["cached"] for a in answers[REPLICAS:]),
          "after one view every replica answers 1 view, from the cache the second time")
    status, _, _ = request(replicas[1].port, "POST", path + "/views", {"user_id": 2})
    fresh = [request(r.port, "GET", path + "/analytics?days=30")[1] for r in replicas]
    check(status in (200, 201, 204) and all(a["views"] == 2 for a in fresh),
          f"a view through assay-2 is seen at once by every replica: views {[a['views'] for a in fresh]}, cached {[a['cached'] for a in fresh]}")


def stats_count(port, path):
    body = request(port, "GET", "/stats?limit=100")[1]
    for item in body.get("items", []):
        if item.get("path") == path:
            return item["count"]
    return 0


def check_route_stats(replicas, balancer):
    """/stats totals, read on every replica, equal the /api hits sent across the replicas and the balancer."""
    path = f"/scale-out/{os.getpid()}"
    targets = [r.port for r in replicas] + [balancer.port]
    sent = 0
    for i in range(120):
        status = request(targets[i % len(targets)], "GET", "/api" + path)[0]
        sent += status == 200
    counts = [stats_count(r.port, path) for r in replicas]
    check(sent == 120 and counts == [sent] * REPLICAS, f"/stats on every replica counts the {sent} hits sent across them: {counts}")


class Load:
    """Bounded load through the balancer: a few clients on kept-alive connections, each request checked."""

    def __init__(self, port, product_id, api_path, clients=4, seconds_cap=90):
        self.port = port
        self.product_id = product_id
        self.api_path = api_path
        self.clients = clients
        self.deadline = time.monotonic() + seconds_cap
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.requests = 0
        self.failures = []
        self.api_ok = 0
        self.threads = []

    def run_client(self, number):
        connection = None
        step = 0
        while not self.stop_event.is_set() and time.monotonic() < self.deadline:
            step += 1
            kind = step % 3
            if kind == 0:
                method, path, body = "GET", "/genesets?limit=5", None
            elif kind == 1:
                method, path, body = "GET", "/api" + self.api_path, None
            else:
                method, path, body = "POST", f"/products/{self.product_id}/views", json.dumps({"user_id": number}).encode()
            headers = {"Authorization": f"Bearer {ADMIN}"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                outcome = response.status
                if response.getheader("connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as error:
                outcome = f"{type(error).__name__}: {error}"
                if connection is not None:
                    connection.close()
                connection = None
            with self.lock:
                self.requests += 1
                if not (isinstance(outcome, int) and 200 <= outcome < 300):
                    self.failures.append(f"{method} {path}: {outcome}")
                elif kind == 1:
                    self.api_ok += 1
            time.sleep(0.005)  # bounded: about 150 requests a second per client at most
        if connection is not None:
            connection.close()

    def start(self):
        for number in range(self.clients):
            thread = threading.Thread(target=self.run_client, args=(number,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self):
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=20)


def rolling_restart(replicas, balancer):
    """SIGTERM each replica in turn under load, wait for its exit, start it again, wait until the balancer has it back."""
    status, product, _ = request(balancer.port, "POST", "/products", {"name": "Rolling restart", "category": "load", "price": 1})
    if not check(status == 201, f"a product for the load is created (got {status})"):
        return
    api_path = f"/rolling/{os.getpid()}"
    before = balancer.stats()
    load = Load(balancer.port, product["id"], api_path)
    started = time.monotonic()
    load.start()
    time.sleep(1.0)
    drains = []
    for replica in replicas:
        name = f"assay-{replica.index}"
        seconds, status = replica.stop()
        drains.append(seconds)
        check(status == 0, f"{name} stopped on SIGTERM after {seconds:.2f} s (exit {status})")
        replica.start()
        replica.wait_ready()
        if not check(balancer.wait_up([name]), f"the balancer has {name} back"):
            break
        time.sleep(0.5)
    time.sleep(1.0)
    load.stop()
    elapsed = time.monotonic() - started
    after = balancer.stats()
    counted = stats_count(replicas[0].port, api_path)

    def total(field):
        return int(after.get("BACKEND", {}).get(field) or 0) - int(before.get("BACKEND", {}).get(field) or 0)

    say(f"rolling restart: {load.requests} requests in {elapsed:.1f} s through the balancer from {load.clients} clients, "
        f"{len(load.failures)} failed; balancer retries {total('wretr')}, redispatches {total('wredis')}; "
        f"time from SIGTERM to exit {', '.join(f'{s:.2f}' for s in drains)} s (drain {DRAIN_SECONDS:g} s)")
    for failure in load.failures[:10]:
        say(f"  failed: {failure}")
    check(load.requests > 0 and not load.failures, f"no request failed during the rolling restart ({len(load.failures)} of {load.requests})")
    check(counted == load.api_ok, f"the /api hits counted ({counted}) equal the ones answered ({load.api_ok}): none lost, none twice")


def write_export(directory, experiments):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "users.csv"), "w") as f:
        f.write("user_id,name,email,signup_date\n")
        for user in range(1, 51):
            f.write(f"{user},User {user},u{user}@lab.org,2024-01-01\n")
    with open(os.path.join(directory, "compounds.csv"), "w") as f:
        f.write("compound_id,compound_name,compound_structure\n1,X,H2O\n2,Y,CO2\n")
    with open(os.path.join(directory, "user_experiments.csv"), "w") as f:
        f.write("experiment_id,user_id,experiment_compound_ids,experiment_run_time\n")
        f.writelines(f"{i},{i % 50 + 1},{i % 2 + 1},{i % 50}\n" for i in range(1, experiments + 1))


def main():
    global DRAIN_SECONDS
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/debug/assay"))
    parser.add_argument("--postgres-url", required=True, help="an empty database of its own")
    parser.add_argument("--redis-url", required=True, help="a Redis database of its own")
    parser.add_argument("--experiments", type=int, default=400_000, help="rows of the ETL export, enough for a run of a few seconds")
    parser.add_argument("--drain-seconds", type=float, default=DRAIN_SECONDS,
                        help="the replicas' ASSAY_DRAIN_SECONDS (0 shows what the rolling restart loses without a drain)")
    args = parser.parse_args()
    DRAIN_SECONDS = args.drain_seconds
    if shutil.which("haproxy") is None:
        print("scale-out: haproxy not found; run scripts/install-system-packages.sh as root", file=sys.stderr)
        return 1

    began = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="assay-scale-out.")
    data = os.path.join(workdir, "etl")
    write_export(data, args.experiments)
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("ASSAY_")
    }
    environment.update({
        "ASSAY_HOST": "127.0.0.1", "ASSAY_POSTGRES_URL": args.postgres_url, "ASSAY_REDIS_URL": args.redis_url,
        "ASSAY_ADMIN_TOKEN": ADMIN, "ASSAY_SEEDS": "", "ASSAY_ETL_DATA": data, "ASSAY_LOG_LEVEL": "warning",
        "ASSAY_TOKEN_CACHE_SECONDS": str(TOKEN_CACHE_SECONDS), "ASSAY_ANALYTICS_CACHE_SECONDS": "300",
        "ASSAY_DRAIN_SECONDS": str(DRAIN_SECONDS), "ASSAY_POSTGRES_POOL_SIZE": "4",
    })
    migrate = subprocess.run([args.binary, "migrate"], env=environment, cwd=ROOT, capture_output=True, text=True)
    if migrate.returncode != 0:
        print(migrate.stdout + migrate.stderr, file=sys.stderr)
        return 1
    replicas = [Replica(index, args.binary, environment, workdir) for index in range(1, REPLICAS + 1)]
    balancer = Balancer(replicas, workdir)
    try:
        # The first creates the admin token on the empty database; the others find it.
        replicas[0].start()
        replicas[0].wait_ready()
        for replica in replicas[1:]:
            replica.start()
        for replica in replicas[1:]:
            replica.wait_ready()
        balancer.start()
        if not check(balancer.wait_up([f"assay-{i}" for i in range(1, REPLICAS + 1)]), "haproxy sees three healthy replicas"):
            return 1
        say(f"replicas on 127.0.0.1:{', '.join(str(r.port) for r in replicas)}; balancer on 127.0.0.1:{balancer.port}")
        check_etl(replicas, balancer, workdir)
        check_token_revocation(replicas)
        check_analytics_cache(replicas)
        check_route_stats(replicas, balancer)
        rolling_restart(replicas, balancer)
    except Exception as error:  # a step that could not run is a failure too, with the logs to read
        check(False, f"the test stopped: {type(error).__name__}: {error}")
    finally:
        balancer.stop()
        for replica in replicas:
            replica.stop(signal.SIGKILL if failures else signal.SIGTERM, timeout=10)
    if failures:
        for path in [r.log_path for r in replicas] + [balancer.log_path]:
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    tail = f.read()[-2000:]
                print(f"--- {os.path.basename(path)} (last lines)\n{tail}", file=sys.stderr)
    shutil.rmtree(workdir, ignore_errors=True)
    passed = "passed" if not failures else f"failed ({len(failures)})"
    say(f"{passed} in {time.monotonic() - began:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
