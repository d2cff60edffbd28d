#!/usr/bin/env python3
"""`make deploy-check`: the Docker stack of deploy/ built and run for real, from nothing, and checked over HTTPS.

    python3 scripts/deploy-check.py [--keep] [--scale]

Needs root (it installs docker.io, docker-compose and debootstrap when missing and starts dockerd when none runs).
When the official images cannot be pulled (no image registry), scripts/make-local-images.sh makes Debian stand-ins
and the binary is built on this host (Debian 12, the runtime image's release) and copied into the image instead of
being compiled in a Swift image. The stack runs as compose project `assay-deploy-check` with volumes of its own, so
a stack you run as `assay` is not touched; ports are published on 127.0.0.1 only and every request goes there.

Steps (one line each, with the seconds since the start): build; start from fresh volumes and wait for every
healthcheck; over HTTPS with the admin token of deploy/.env: create and read a gene set, run the ETL on an uploaded
export, record product views and read analytics, count /api hits and read /stats; `down` and `up` again and check
all of it survived (Postgres volume, Redis AOF); kill the Postgres container under a bounded load and check that
answers are 200 or 503 problems only, then that they recover; `down -v`. With --scale, also the three replicas of
deploy/docker-compose.scale.yml behind HAProxy answer /ready and share the data. Exits non-zero on any failure.
"""

import argparse
import json
import os
import secrets
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEPLOY = os.path.join(ROOT, "deploy")
PROJECT = "assay-deploy-check"
SCALE_PROJECT = "assay-deploy-check-scale"
OFFICIAL = ["swift:6.2-bookworm", "debian:bookworm-slim", "postgres:15-bookworm", "redis:7-bookworm"]
LOCAL = {
    "SWIFT_IMAGE": "assay-local/bookworm",
    "RUNTIME_IMAGE": "assay-local/bookworm",
    "POSTGRES_IMAGE": "assay-local/postgres:15",
    "REDIS_IMAGE": "assay-local/redis:7",
    "HAPROXY_IMAGE": "assay-local/haproxy:2.6",
    "ASSAY_PREBUILT": "deploy/prebuilt/assay",
    "ASSAY_DOCS_PREBUILT": "deploy/prebuilt/docs-assets",
}
STARTED = time.monotonic()


class CheckFailed(Exception):
    pass


def step(text):
    print(f"deploy-check: [{time.monotonic() - STARTED:7.1f} s] {text}", flush=True)


def fail(text):
    raise CheckFailed(text)


def run(arguments, check=True, capture=True, env=None, timeout=None):
    result = subprocess.run(arguments, capture_output=capture, text=True, env=env, timeout=timeout, cwd=ROOT)
    if check and result.returncode != 0:
        output = ((result.stdout or "") + (result.stderr or ""))[-3000:]
        fail(f"{' '.join(arguments)} exited {result.returncode}:\n{output}")
    return result


# --- the machine -------------------------------------------------------------------------------------------------

def ensure_tools():
    missing = [package for package, command in [("docker.io", "dockerd"), ("docker-compose", "docker-compose"), ("debootstrap", "debootstrap")]
               if shutil.which(command) is None]
    if missing:
        if os.geteuid() != 0:
            fail(f"missing {' '.join(missing)}: run as root, or apt-get install -y {' '.join(missing)}")
        run(["apt-get", "update", "-qq"])
        run(["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + missing,
            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        step(f"installed {' '.join(missing)}")
    if run(["docker", "info"], check=False).returncode != 0:
        log = open("/var/log/assay-dockerd.log", "ab")
        subprocess.Popen(["dockerd"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while run(["docker", "info"], check=False).returncode != 0:
            if time.monotonic() > deadline:
                fail("dockerd did not start within 60 s (see /var/log/assay-dockerd.log)")
            time.sleep(0.5)
        step("started dockerd (log in /var/log/assay-dockerd.log)")
    info = run(["docker", "info", "--format", "{{.ServerVersion}} {{.Driver}} cgroup v{{.CgroupVersion}}"]).stdout.strip()
    compose = run(["docker-compose", "version", "--short"]).stdout.strip()
    step(f"docker {info}; docker-compose {compose}")


def image_environment():
    """The official images when they can be pulled; otherwise local stand-ins and a binary built on this host."""
    try:
        pulled = all(run(["docker", "pull", "-q", image], check=False, timeout=60).returncode == 0 for image in OFFICIAL)
    except subprocess.TimeoutExpired:
        pulled = False
    if pulled:
        step("the official images were pulled: building as a user would (Swift build stage)")
        return {}
    started = time.monotonic()
    made = run(["scripts/make-local-images.sh"]).stderr
    images = ", ".join(line.split(": ", 1)[1] for line in made.splitlines() if line.startswith("make-local-images: assay-local/"))
    step(f"no image registry reachable: local Debian images ready ({'made ' + images if images else 'already there'}; "
         f"{time.monotonic() - started:.1f} s)")
    started = time.monotonic()
    swift = shutil.which("swift") or "/opt/swift/usr/bin/swift"
    # A build folder of its own, so the debug build of `make test` is neither locked nor rebuilt.
    flags = ["-c", "release", "--product", "assay", "--static-swift-stdlib", "-Xlinker", "-s", "--scratch-path", ".build-release"]
    run([swift, "build"] + flags)
    binary = run([swift, "build"] + flags + ["--show-bin-path"]).stdout.strip().splitlines()[-1] + "/assay"
    os.makedirs(os.path.join(DEPLOY, "prebuilt"), exist_ok=True)
    shutil.copy2(binary, os.path.join(DEPLOY, "prebuilt/assay"))
    step(f"release binary built on this host (Debian 12, as the runtime image) in {time.monotonic() - started:.1f} s")
    # Swagger UI for /docs, fetched here: a container cannot be assumed to reach PyPI (nor to trust this host's CAs).
    run(["scripts/fetch-docs-assets.sh", os.path.join(DEPLOY, "prebuilt/docs-assets")])
    step("Swagger UI's files for /docs fetched on this host (pinned, checksummed)")
    return dict(LOCAL)


def env_file():
    """deploy/.env: the user's when it exists (it must set ASSAY_ADMIN_TOKEN), otherwise one with new random secrets."""
    path = os.path.join(DEPLOY, ".env")
    if not os.path.exists(path):
        template = open(os.path.join(DEPLOY, ".env.example")).read()
        values = {
            "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
            "REDIS_PASSWORD": secrets.token_urlsafe(24),
            "ASSAY_ADMIN_TOKEN": "assay_" + secrets.token_urlsafe(32),
        }
        lines = []
        for line in template.splitlines():
            key = line.split("=", 1)[0]
            lines.append(f"{key}={values[key]}" if key in values and not line.startswith("#") else line)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(path, 0o600)
        step("wrote deploy/.env with new random secrets (git ignores it)")
    values = {}
    for line in open(path):
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    if len(values.get("ASSAY_ADMIN_TOKEN", "")) < 32:
        fail("deploy/.env has no ASSAY_ADMIN_TOKEN (at least 32 characters): the check needs the admin token")
    return values


# --- compose -----------------------------------------------------------------------------------------------------

class Stack:
    def __init__(self, project, file, environment):
        self.project = project
        self.file = file
        self.environment = dict(os.environ, **environment)

    def compose(self, *arguments, check=True, capture=True, timeout=None):
        return run(["docker-compose", "-p", self.project, "-f", self.file] + list(arguments), check=check, capture=capture,
                   env=self.environment, timeout=timeout)

    def container(self, service):
        identifier = self.compose("ps", "-q", service).stdout.strip()
        if not identifier:
            fail(f"no container for {service}")
        return identifier

    def wait_healthy(self, services, seconds=180):
        deadline = time.monotonic() + seconds
        states = {}
        while time.monotonic() < deadline:
            states = {}
            for service in services:
                identifier = self.compose("ps", "-q", service).stdout.strip()
                states[service] = run(["docker", "inspect", "-f", "{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}",
                                       identifier], check=False).stdout.strip() if identifier else "missing"
            if all(state == "healthy" for state in states.values()):
                return
            time.sleep(1)
        logs = self.compose("logs", "--tail", "30", check=False).stdout
        fail(f"not healthy within {seconds} s: {states}\n{logs[-3000:]}")

    def published(self, service, port):
        text = self.compose("port", service, str(port)).stdout.strip()
        host, _, published = text.rpartition(":")
        if host != "127.0.0.1":
            fail(f"{service}:{port} is published on {text}, not on 127.0.0.1 only")
        return int(published)


# --- HTTP --------------------------------------------------------------------------------------------------------

class Client:
    def __init__(self, base, token, cafile=None):
        self.base = base
        self.token = token
        self.context = ssl.create_default_context(cafile=cafile) if cafile else None

    def call(self, method, path, body=None, headers=None, timeout=30):
        data = None
        sent = {"Authorization": f"Bearer {self.token}"}
        if isinstance(body, bytes):
            data = body
        elif body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=self.context) as response:
                raw, status, kind = response.read(), response.status, response.headers.get("content-type", "")
        except urllib.error.HTTPError as error:
            raw, status, kind = error.read(), error.code, error.headers.get("content-type", "")
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return status, parsed, kind

    def expect(self, status, method, path, body=None, headers=None):
        got, parsed, _ = self.call(method, path, body, headers)
        if got != status:
            fail(f"{method} {path}: expected {status}, got {got}: {str(parsed)[:500]}")
        return parsed


def multipart(files):
    boundary = uuid.uuid4().hex
    parts = []
    for field, path in files.items():
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{os.path.basename(path)}\"\r\n"
                     f"Content-Type: text/csv\r\n\r\n".encode() + open(path, "rb").read() + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def stats_count(client, path):
    for item in client.expect(200, "GET", "/stats?limit=100").get("items", []):
        if item.get("path") == path:
            return item["count"]
    return 0


# --- the checks --------------------------------------------------------------------------------------------------

API_PATH = "/deploy-check/hits"
API_HITS = 25
VIEWS = 3


def write_and_read(client):
    created = client.expect(201, "POST", "/genesets", {"title": "Deploy check", "genes": [{"name": "BRCA1"}, {"name": "TP53"}]})
    read = client.expect(200, "GET", f"/genesets/{created['id']}")
    if read["title"] != "Deploy check" or sorted(g["name"] for g in read["genes"]) != ["BRCA1", "TP53"]:
        fail(f"the gene set read back differs: {read}")
    step(f"created and read gene set {created['id']} over HTTPS")

    # The interactive documentation: Swagger UI's files are in the image (fetched at build time).
    status, page, kind = client.call("GET", "/docs", headers={"Authorization": ""})
    if status != 200 or "text/html" not in kind:
        fail(f"GET /docs: expected the Swagger UI page, got {status} {kind}: {str(page)[:300]}")
    status, _, kind = client.call("GET", "/docs/assets/swagger-ui-bundle.js", headers={"Authorization": ""})
    if status != 200:
        fail(f"GET /docs/assets/swagger-ui-bundle.js: {status} (Swagger UI's files missing from the image)")
    step("GET /docs serves Swagger UI from the image's own files, without a token")

    body, kind = multipart({"users": "seeds/etl/users.csv", "experiments": "seeds/etl/user_experiments.csv",
                            "compounds": "seeds/etl/compounds.csv"})
    etl = client.expect(200, "POST", "/etl?wait=true", body, {"Content-Type": kind})
    if etl.get("status") != "success":
        fail(f"the ETL did not succeed: {etl}")
    feature = client.expect(200, "GET", "/features/1")
    step(f"ETL on an uploaded export: run {etl['run']['id']} {etl['status']}, {etl['run'].get('counts', {}).get('published', '?')} "
         f"users published; /features/1 is {feature.get('name')}")

    product = client.expect(201, "POST", "/products", {"name": "Deploy pipette", "category": "consumables", "price": 19.99})
    for user in range(VIEWS):
        client.expect(201, "POST", f"/products/{product['id']}/views", {"user_id": 100 + user})
    analytics = client.expect(200, "GET", f"/products/{product['id']}/analytics?days=30")
    if analytics["views"] != VIEWS:
        fail(f"analytics show {analytics['views']} views, not {VIEWS}")
    step(f"recorded {VIEWS} views of product {product['id']}; analytics: {analytics['views']} views, {analytics['unique_viewers']} viewers")

    for _ in range(API_HITS):
        client.expect(200, "GET", "/api" + API_PATH)
    count = stats_count(client, API_PATH)
    if count != API_HITS:
        fail(f"/stats counts {count} hits of {API_PATH}, not {API_HITS}")
    step(f"{API_HITS} /api hits counted; /stats shows {count}")
    return {"geneset": created["id"], "run": etl["run"]["id"], "product": product["id"], "feature": feature}


def still_there(client, state):
    read = client.expect(200, "GET", f"/genesets/{state['geneset']}")
    runs = client.expect(200, "GET", "/etl/runs?limit=5").get("items", [])
    feature = client.expect(200, "GET", "/features/1")
    analytics = client.expect(200, "GET", f"/products/{state['product']}/analytics?days=30")
    count = stats_count(client, API_PATH)
    problems = []
    if read["title"] != "Deploy check":
        problems.append("gene set")
    if not any(run["id"] == state["run"] and run["status"] == "success" for run in runs):
        problems.append("ETL run")
    if feature != state["feature"]:
        problems.append("features")
    if analytics["views"] != VIEWS:
        problems.append(f"analytics ({analytics['views']} views)")
    if count != API_HITS:
        problems.append(f"route statistics ({count} hits)")
    if problems:
        fail(f"lost across down/up: {', '.join(problems)}")
    step(f"after down and up: gene set, ETL run and features (Postgres volume), {VIEWS} views, {count} /api hits (Redis AOF) all there")


def postgres_outage(stack, client, state):
    """Kills the Postgres container under a bounded load: answers must be 200 or 503 problems, then 200 again."""
    statuses = {}
    all_problems = [True]  # every 503 is an RFC 9457 problem document
    errors = []
    stop = threading.Event()
    lock = threading.Lock()
    first_503 = [None]
    last_503 = [None]

    def load():
        deadline = time.monotonic() + 90
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                status, body, kind = client.call("GET", f"/genesets/{state['geneset']}", timeout=10)
            except Exception as error:  # any transport failure is a failure of the check
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")
                time.sleep(0.05)
                continue
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 503:
                    now = time.monotonic()
                    first_503[0] = first_503[0] or now
                    last_503[0] = now
                    if "problem+json" not in kind:
                        all_problems[0] = False
            time.sleep(0.02)  # bounded: at most about 50 requests a second per client

    threads = [threading.Thread(target=load, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    container = stack.container("postgres")
    killed_at = time.monotonic()
    run(["docker", "kill", container])
    deadline = time.monotonic() + 20
    while first_503[0] is None and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(3)
    run(["docker", "start", container])
    restarted_at = time.monotonic()
    recovered_at = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.2)
        with lock:
            if last_503[0] is not None and time.monotonic() - max(last_503[0], restarted_at) > 2 and statuses.get(200):
                recovered_at = last_503[0]
                break
    stop.set()
    for thread in threads:
        thread.join(timeout=20)
    total = sum(statuses.values()) + len(errors)
    first = f"{first_503[0] - killed_at:.2f} s" if first_503[0] else "never"
    recovery = f"{recovered_at - restarted_at:.2f} s" if recovered_at else "not seen"
    step(f"Postgres killed under load: {total} requests, statuses {dict(sorted(statuses.items()))}, transport errors {len(errors)}; "
         f"first 503 {first} after the kill; last 503 {recovery} after the restart")
    if errors:
        fail(f"requests failed without an answer: {errors[:5]}")
    if set(statuses) - {200, 503}:
        fail(f"statuses other than 200 and 503: {statuses}")
    if not statuses.get(503):
        fail("no 503 while Postgres was down")
    if not all_problems[0]:
        fail("a 503 was not a problem+json document")
    if recovered_at is None:
        fail("requests did not recover after Postgres was started again")
    stack.wait_healthy(["postgres", "redis", "assay"])
    client.expect(200, "GET", f"/genesets/{state['geneset']}")
    step("recovered: Postgres healthy again, every answer 200")


def scale_out(environment, token):
    stack = Stack(SCALE_PROJECT, "deploy/docker-compose.scale.yml", environment)
    stack.compose("down", "-v", "--remove-orphans", check=False)
    started = time.monotonic()
    stack.compose("up", "-d", timeout=600)
    stack.wait_healthy(["postgres", "redis", "assay-1", "assay-2", "assay-3"])
    port = stack.published("balancer", 8080)
    client = Client(f"http://127.0.0.1:{port}", token)
    deadline = time.monotonic() + 30
    while client.call("GET", "/ready")[0] != 200:
        if time.monotonic() > deadline:
            fail("the balancer's /ready did not answer 200")
        time.sleep(0.5)
    created = client.expect(201, "POST", "/genesets", {"title": "Scale check", "genes": [{"name": "MYC"}]})
    reads = [client.call("GET", f"/genesets/{created['id']}")[0] for _ in range(9)]
    if reads != [200] * 9:
        fail(f"reads through the balancer: {reads}")
    for _ in range(30):
        client.expect(200, "GET", "/api" + API_PATH)
    if stats_count(client, API_PATH) != 30:
        fail("/stats through the balancer does not count the 30 hits")
    step(f"scale-out stack: 3 replicas healthy behind HAProxy on 127.0.0.1:{port} in {time.monotonic() - started:.1f} s; "
         "a gene set written through it read 9 times round robin, 30 /api hits counted once each")
    stack.compose("down", "-v", "--remove-orphans")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="leave the stack running at the end")
    parser.add_argument("--scale", action="store_true", help="also start docker-compose.scale.yml (three replicas, HAProxy)")
    args = parser.parse_args()
    stack = None
    try:
        ensure_tools()
        environment = image_environment()
        values = env_file()
        stack = Stack(PROJECT, "deploy/docker-compose.yml", environment)
        stack.compose("config", "-q")
        started = time.monotonic()
        stack.compose("build")
        step(f"built the assay image ({time.monotonic() - started:.1f} s)")
        stack.compose("down", "-v", "--remove-orphans", check=False)
        started = time.monotonic()
        stack.compose("up", "-d")
        stack.wait_healthy(["postgres", "redis", "assay"])
        port = stack.published("assay", 8443)
        step(f"stack up from fresh volumes, every healthcheck passing ({time.monotonic() - started:.1f} s); assay on 127.0.0.1:{port}")
        certificate = os.path.join(tempfile.mkdtemp(prefix="assay-deploy-check."), "cert.pem")
        run(["docker", "cp", f"{stack.container('assay')}:/app/certs/cert.pem", certificate])
        client = Client(f"https://127.0.0.1:{port}", values["ASSAY_ADMIN_TOKEN"], cafile=certificate)
        state = write_and_read(client)

        started = time.monotonic()
        stack.compose("down")
        stack.compose("up", "-d")
        stack.wait_healthy(["postgres", "redis", "assay"])
        step(f"down and up again ({time.monotonic() - started:.1f} s)")
        still_there(client, state)

        postgres_outage(stack, client, state)
        if args.scale:
            scale_out(environment, values["ASSAY_ADMIN_TOKEN"])
    except CheckFailed as error:
        step(f"FAILED: {error}")
        if stack is not None and not args.keep:
            stack.compose("down", "-v", "--remove-orphans", check=False)
        return 1
    if not args.keep:
        stack.compose("down", "-v", "--remove-orphans")
        step("stack removed with its volumes")
    step("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
