#!/usr/bin/python3
"""Browser tests of /docs and /dashboard (issue 19): headless Chromium driven by Selenium against a real server.

    scripts/browser-tests.py [--binary .build/debug/assay] [--artifacts .build/browser-artifacts]

Starts the server binary on a free loopback port (in-memory store, the demo seeds, a known admin token), then, as a
person would in a browser:
  /docs       authorize with the token, run GET /genesets/search/{pattern} with "Great" and read the 200 answer,
              create a gene set with POST /genesets and read the 201, upload the ETL's three files to POST /etl
              and a GMT file to POST /collections/{id}/gmt with the file pickers;
  /dashboard  enter the token, see the bars of the hits just made, the new gene set in the counts and the ETL run, run an
              enrichment and see its bars, download its TSV, run one on the uploaded collection; a wrong token shows the 401 message;
and fails on any Content-Security-Policy violation the browser reports. Screenshots and the browser's console go to
the artefacts directory (under .build/, never committed). Needs Debian's chromium, chromium-driver and
python3-selenium (scripts/install-system-packages.sh); run with /usr/bin/python3, whose site-packages has Selenium.
Prints "N passed, N failed" and exits 1 when anything failed.
"""

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import traceback
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WAIT = 20


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The assay binary on a free loopback port, in memory, with the demo seeds and a known admin token."""

    def __init__(self, binary, artifacts):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.token = "assay_browser-" + secrets.token_hex(20)
        env = dict(os.environ, ASSAY_ADMIN_TOKEN=self.token, ASSAY_SEEDS="seeds")
        for name in ("ASSAY_POSTGRES_URL", "ASSAY_REDIS_URL"):
            env.pop(name, None)
        self.log = open(os.path.join(artifacts, "server.log"), "wb")
        self.process = subprocess.Popen(
            [binary, "serve", "--port", str(self.port), "--log-level", "warning"], cwd=ROOT, env=env,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=2):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the server exited with {self.process.returncode}; see {self.log.name}")
                time.sleep(0.2)
        raise RuntimeError("the server did not answer /health within 60 s")

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            return json.loads(text) if text else None

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def make_driver(downloads):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1200",
                     "--no-first-run", "--disable-extensions", "--disable-background-networking"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": downloads, "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    return driver


class Run:
    def __init__(self, driver, server, artifacts):
        self.driver, self.server, self.artifacts = driver, server, artifacts
        self.passed, self.failed = [], []
        self.console = []
        self.collection_id = None

    def wait(self, condition, timeout=WAIT):
        return WebDriverWait(self.driver, timeout).until(condition)

    def visible(self, css, timeout=WAIT):
        return self.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, css)), timeout)

    def clickable(self, css, within=None, timeout=WAIT):
        if within is None:
            return self.wait(EC.element_to_be_clickable((By.CSS_SELECTOR, css)), timeout)
        return self.wait(lambda _: next((e for e in within.find_elements(By.CSS_SELECTOR, css) if e.is_displayed() and e.is_enabled()),
                                        False), timeout)

    def click(self, element):
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        element.click()

    def screenshot(self, name):
        self.driver.save_screenshot(os.path.join(self.artifacts, name + ".png"))

    def collect_console(self, page):
        entries = self.driver.get_log("browser")
        self.console += [f"[{page}] {entry['level']} {entry['message']}" for entry in entries]
        return [entry["message"] for entry in entries
                if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]]

    def test(self, name, body):
        print(f"--- {name}", flush=True)
        try:
            body()
            self.passed.append(name)
            print(f"ok   {name}", flush=True)
        except Exception:  # a failed step: report it, keep a screenshot, go on with the next test
            self.failed.append(name)
            print(f"FAIL {name}\n{traceback.format_exc()}", flush=True)
            try:
                self.screenshot("failed-" + name.replace(" ", "-").replace("/", "_"))
            except Exception:
                pass

    # --- /docs ---------------------------------------------------------------------------------------------------

    def operation(self, method, path):
        """Swagger UI's block of one operation, expanded."""
        css = f".opblock-{method.lower()} .opblock-summary-path[data-path='{path}']"
        summary_path = self.visible(css)
        block = summary_path.find_element(By.XPATH, "./ancestor::div[contains(@class, 'opblock ')]")
        if "is-open" not in block.get_attribute("class"):
            self.click(summary_path)
            self.wait(lambda _: "is-open" in block.get_attribute("class"))
        return block

    def execute(self, block):
        self.click(self.clickable("button.try-out__btn", within=block))
        return block

    def response_status(self, block):
        cells = ".live-responses-table tr.response .response-col_status"
        status = self.wait(lambda _: next((e for e in block.find_elements(By.CSS_SELECTOR, cells) if e.text.strip()), False))
        body = block.find_element(By.CSS_SELECTOR, ".live-responses-table tr.response .response-col_description pre").text
        return status.text.strip(), body

    def docs_authorize(self):
        self.driver.get(self.server.base + "/docs")
        self.visible(".swagger-ui .info .title")
        self.click(self.clickable(".swagger-ui .auth-wrapper button.authorize"))
        modal = self.visible(".modal-ux")
        field = self.clickable("input", within=modal)
        field.send_keys(self.server.token)
        self.click(self.clickable("button.authorize", within=modal))
        self.wait(lambda _: modal.find_elements(By.CSS_SELECTOR, "button.btn-done, button.close-modal"))
        self.screenshot("docs-authorized")
        self.click(self.clickable("button.close-modal", within=modal))
        self.wait(lambda _: not self.driver.find_elements(By.CSS_SELECTOR, ".modal-ux"))
        locked = self.driver.find_elements(By.CSS_SELECTOR, ".auth-wrapper button.authorize.locked")
        assert locked, "the Authorize button does not show the scheme as authorized"

    def docs_search(self):
        block = self.execute(self.operation("get", "/genesets/search/{pattern}"))
        field = self.clickable("tr[data-param-name='pattern'] input", within=block)
        field.clear()
        field.send_keys("Great")
        self.click(self.clickable("button.execute", within=block))
        status, body = self.response_status(block)
        self.screenshot("docs-search-great")
        assert status == "200", f"GET /genesets/search/Great answered {status}: {body[:300]}"
        assert "Great Genes" in body, f"the answer does not list the demo set Great Genes: {body[:300]}"
        curl = block.find_element(By.CSS_SELECTOR, ".curl-command").text
        assert "Authorization: Bearer" in curl, "the request did not carry the bearer token"

    def docs_create(self):
        block = self.execute(self.operation("post", "/genesets"))
        editor = self.clickable("textarea.body-param__text", within=block)
        editor.send_keys(Keys.CONTROL, "a")
        editor.send_keys(Keys.DELETE)
        editor.send_keys(json.dumps({"title": "Browser Genes", "genes": [{"name": "BRCA1"}, {"name": "TP53"}, {"name": "EGFR"}]}))
        self.click(self.clickable("button.execute", within=block))
        status, body = self.response_status(block)
        self.screenshot("docs-create-geneset")
        assert status == "201", f"POST /genesets answered {status}: {body[:300]}"
        assert json.loads(body)["title"] == "Browser Genes"
        found = self.server.call("GET", "/genesets/search/Browser")["items"]
        assert [item["title"] for item in found] == ["Browser Genes"], found

    def docs_upload(self):
        block = self.execute(self.operation("post", "/etl"))
        wait = self.clickable("tr[data-param-name='wait'] select", within=block)
        Select(wait).select_by_visible_text("true")
        files = block.find_elements(By.CSS_SELECTOR, "input[type=file]")
        assert len(files) == 3, f"POST /etl shows {len(files)} file pickers, not 3"
        for picker, name in zip(files, ("users.csv", "user_experiments.csv", "compounds.csv")):
            picker.send_keys(os.path.join(ROOT, "seeds", "etl", name))
        self.click(self.clickable("button.execute", within=block))
        status, body = self.response_status(block)
        self.screenshot("docs-etl-upload")
        assert status == "200", f"POST /etl with three files answered {status}: {body[:300]}"
        assert json.loads(body)["run"]["source"] == "upload", body[:300]

    def docs_gmt_upload(self):
        collection = self.server.call("POST", "/collections", {"name": "Browser Hallmark", "description": "from the browser tests"})
        self.collection_id = collection["id"]
        gmt = os.path.join(self.artifacts, "hallmark.gmt")
        with open(gmt, "w") as f:
            f.write("APOPTOSIS\tna\tCASP3\tCASP8\tBAX\tBCL2\tTP53\tFAS\nHYPOXIA\tna\tHIF1A\tVEGFA\tLDHA\tPGK1\tTP53\n")
        block = self.execute(self.operation("post", "/collections/{id}/gmt"))
        field = self.clickable("tr[data-param-name='id'] input", within=block)
        field.clear()
        field.send_keys(str(self.collection_id))
        media = next(select for select in block.find_elements(By.CSS_SELECTOR, ".opblock-section-request-body select")
                     if any(option.text == "multipart/form-data" for option in Select(select).options))
        Select(media).select_by_visible_text("multipart/form-data")
        picker = self.wait(lambda _: block.find_elements(By.CSS_SELECTOR, "input[type=file]"))[0]
        picker.send_keys(gmt)
        self.click(self.clickable("button.execute", within=block))
        status, body = self.response_status(block)
        self.screenshot("docs-gmt-upload")
        assert status == "200", f"POST /collections/{self.collection_id}/gmt with a file answered {status}: {body[:300]}"
        assert json.loads(body)["imported"] == 2, body[:300]

    def docs_csp(self):
        violations = self.collect_console("docs")
        assert not violations, "Content-Security-Policy violations on /docs:\n" + "\n".join(violations)

    # --- /dashboard ----------------------------------------------------------------------------------------------

    def dashboard_enter_token(self, secret):
        self.driver.get(self.server.base + "/dashboard")
        field = self.visible("#token-input")
        field.send_keys(secret)
        self.click(self.clickable("#token-submit"))

    def dashboard_panels(self):
        for path, hits in (("/browser/one", 3), ("/browser/two", 1)):
            for _ in range(hits):
                self.server.call("GET", "/api" + path)
        sets = len(self.server.call("GET", "/genesets?limit=500")["items"])
        self.driver.get(self.server.base + "/dashboard")
        self.driver.execute_script("sessionStorage.clear();")
        self.dashboard_enter_token(self.server.token)
        bar = self.visible("#panels svg.chart g.bar[data-label='/browser/one']")
        self.screenshot("dashboard")
        assert bar.get_attribute("data-value") == "3", bar.get_attribute("data-value")
        two = self.driver.find_element(By.CSS_SELECTOR, "#panels g.bar[data-label='/browser/two']")
        assert two.get_attribute("data-value") == "1"
        width = lambda element: float(element.find_element(By.TAG_NAME, "rect").get_attribute("width"))
        assert width(bar) > width(two) > 0, "the bars are not drawn to scale"
        shown = self.driver.find_element(By.CSS_SELECTOR, "#count-genesets").text
        assert shown == str(sets), f"the dashboard shows {shown} gene sets, the API lists {sets}"
        etl = self.driver.find_element(By.CSS_SELECTOR, "#etl td.status-success")
        assert etl.text == "success", "the ETL run made in /docs is not listed"
        assert "token" not in self.driver.current_url and self.server.token not in self.driver.current_url, "the token is in the URL"
        stored = self.driver.execute_script("return sessionStorage.getItem('assay.dashboard.token');")
        assert stored == self.server.token, "the token is not kept in the session"
        assert not self.driver.execute_script("return localStorage.length;"), "something was written to localStorage"
        # A hit made now shows after a refresh, and the window selector redraws the panels.
        self.server.call("GET", "/api/browser/three")
        self.click(self.clickable("#refresh"))
        self.visible("#panels g.bar[data-label='/browser/three']")
        loaded = self.driver.find_element(By.ID, "panels").get_attribute("data-loaded")
        Select(self.driver.find_element(By.ID, "window")).select_by_value("all")
        self.wait(lambda _: self.driver.find_element(By.ID, "panels").get_attribute("data-loaded") != loaded)
        assert "(all)" in self.driver.find_element(By.CSS_SELECTOR, "#routes h2").text
        self.visible("#panels g.bar[data-label='/browser/one']")

    def dashboard_enrichment(self):
        self.wait(lambda _: len(self.driver.find_elements(By.CSS_SELECTOR, "#collection option")) >= 1)
        genes = self.clickable("#genes")
        genes.clear()
        genes.send_keys("BRCA1\nTP53\nEGFR\nNOT_A_GENE")
        self.click(self.clickable("#enrich"))
        bars = self.wait(lambda _: self.driver.find_elements(By.CSS_SELECTOR, "#enrichment-result svg.chart g.bar"))
        self.screenshot("dashboard-enrichment")
        labels = [bar.get_attribute("data-label") for bar in bars]
        assert "Browser Genes" in labels, f"the set made in /docs is not among the enriched sets: {labels}"
        self.click(self.clickable("#download-tsv"))
        target = os.path.join(self.artifacts, "downloads", "enrichment.tsv")
        deadline = time.monotonic() + WAIT
        while not os.path.exists(target) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert os.path.exists(target), "the TSV was not downloaded"
        with open(target) as tsv:
            rows = tsv.read().splitlines()
        assert rows[0].startswith("rank\tset_id\tset\t") and len(rows) >= len(bars) + 1, rows[:3]
        assert any("\tBrowser Genes\t" in row for row in rows[1:]), rows[:5]

    def dashboard_collection_enrichment(self):
        option = self.wait(lambda _: next((o for o in self.driver.find_elements(By.CSS_SELECTOR, "#collection option")
                                           if o.get_attribute("value") == str(self.collection_id)), False))
        assert option.text.startswith("Browser Hallmark"), option.text
        Select(self.driver.find_element(By.ID, "collection")).select_by_value(str(self.collection_id))
        genes = self.clickable("#genes")
        genes.clear()
        genes.send_keys("CASP3 BAX TP53 FAS MYC")
        before = self.driver.find_element(By.ID, "enrichment-result").get_attribute("innerHTML")
        self.click(self.clickable("#enrich"))
        self.wait(lambda _: self.driver.find_element(By.ID, "enrichment-result").get_attribute("innerHTML") != before)
        bars = self.driver.find_elements(By.CSS_SELECTOR, "#enrichment-result svg.chart g.bar")
        self.screenshot("dashboard-enrichment-collection")
        labels = [bar.get_attribute("data-label") for bar in bars]
        assert labels == ["APOPTOSIS", "HYPOXIA"], f"the collection's sets, most significant first: {labels}"

    def dashboard_unauthorized(self):
        self.driver.execute_script("sessionStorage.clear();")
        self.dashboard_enter_token("assay_not-a-real-token-0000000000000000")
        message = self.visible("#message.error")
        self.screenshot("dashboard-401")
        assert "401" in message.text, message.text
        assert self.driver.find_element(By.CSS_SELECTOR, "#token-input").is_displayed(), "the token field is not offered again"

    def dashboard_csp(self):
        violations = self.collect_console("dashboard")
        assert not violations, "Content-Security-Policy violations on /dashboard:\n" + "\n".join(violations)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.environ.get("ASSAY_BINARY", ".build/debug/assay"))
    parser.add_argument("--artifacts", default=".build/browser-artifacts")
    args = parser.parse_args()
    os.chdir(ROOT)
    artifacts = os.path.abspath(args.artifacts)
    shutil.rmtree(artifacts, ignore_errors=True)
    os.makedirs(os.path.join(artifacts, "downloads"))

    server = Server(os.path.abspath(args.binary), artifacts)
    driver = None
    try:
        driver = make_driver(os.path.join(artifacts, "downloads"))
        run = Run(driver, server, artifacts)
        run.test("docs: authorize with the token", run.docs_authorize)
        run.test("docs: GET /genesets/search/Great answers 200", run.docs_search)
        run.test("docs: POST /genesets creates a set", run.docs_create)
        run.test("docs: POST /etl with three files from the file pickers", run.docs_upload)
        run.test("docs: POST /collections/{id}/gmt with a GMT file from the file picker", run.docs_gmt_upload)
        run.test("docs: no CSP violation", run.docs_csp)
        run.test("dashboard: bars for the hits just made, the new set counted", run.dashboard_panels)
        run.test("dashboard: enrichment bars and TSV", run.dashboard_enrichment)
        run.test("dashboard: enrichment against a chosen collection", run.dashboard_collection_enrichment)
        run.test("dashboard: a refused token shows the 401 message", run.dashboard_unauthorized)
        run.test("dashboard: no CSP violation", run.dashboard_csp)
        with open(os.path.join(artifacts, "console.log"), "w") as log:
            log.write("\n".join(run.console) + "\n")
    finally:
        if driver is not None:
            driver.quit()
        server.stop()

    print(f"browser screenshots and logs: {artifacts}")
    print(f"{len(run.passed)} passed, {len(run.failed)} failed")
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
