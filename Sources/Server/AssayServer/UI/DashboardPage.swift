/// The dashboard's shell, script and stylesheet: static, without data, so they need no token. The script keeps the
/// token in `sessionStorage` (gone when the tab closes), sends it only as `Authorization: Bearer`, never in a URL, and
/// inserts the HTML the server rendered (escaped there) for the panels and the enrichment view.
enum DashboardPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Assay dashboard</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/dashboard/app.css">
        </head>
        <body>
        <header>
        <h1>Assay dashboard</h1>
        <nav><a href="/docs">API documentation</a></nav>
        </header>
        <main>
        <form id="token-form" method="post" action="/dashboard" autocomplete="off" hidden>
        <label for="token-input">Access token (read scope; write to run enrichments)</label>
        <input id="token-input" type="password" autocomplete="off" spellcheck="false" placeholder="assay_...">
        <button type="submit" id="token-submit">Use this token</button>
        <p class="hint">Kept in this tab's session storage only, and sent as <code>Authorization: Bearer</code>.</p>
        </form>
        <div id="message" role="alert" hidden></div>
        <div id="controls" hidden>
        <label for="window">Window</label>
        <select id="window">
        <option value="1h">last hour</option>
        <option value="24h" selected>last 24 hours</option>
        <option value="7d">last 7 days</option>
        <option value="all">all time</option>
        </select>
        <button type="button" id="refresh">Refresh</button>
        <button type="button" id="forget">Forget token</button>
        </div>
        <div id="panels" aria-live="polite"></div>
        <section class="panel" id="enrichment-view" hidden>
        <h2>Enrichment</h2>
        <form id="enrichment-form" method="post" action="/dashboard">
        <label for="genes">Genes (one per line, or separated by spaces or commas)</label>
        <textarea id="genes" rows="6" spellcheck="false"></textarea>
        <label for="collection">Collection</label>
        <select id="collection"><option value="">every set of the catalog</option></select>
        <button type="submit" id="enrich">Analyse</button>
        <button type="button" id="download-tsv" disabled>Download the table (TSV)</button>
        </form>
        <div id="enrichment-result" aria-live="polite"></div>
        </section>
        </main>
        <script src="/dashboard/app.js"></script>
        </body>
        </html>

        """#

    static let script = #"""
        "use strict";
        (function () {
          var KEY = "assay.dashboard.token";
          var byId = function (id) { return document.getElementById(id); };
          var lastEnrichment = null;

          function token() { return sessionStorage.getItem(KEY); }

          function say(text, kind) {
            var box = byId("message");
            box.textContent = text || "";
            box.className = kind || "info";
            box.hidden = !text;
          }

          function askForToken() {
            byId("token-form").hidden = false;
            byId("controls").hidden = true;
            byId("enrichment-view").hidden = true;
            byId("token-input").focus();
          }

          function ready() {
            byId("token-form").hidden = true;
            byId("controls").hidden = false;
            byId("enrichment-view").hidden = false;
          }

          async function problemText(response) {
            try {
              var problem = await response.json();
              return problem.detail || problem.title || ("HTTP " + response.status);
            } catch (e) {
              return "HTTP " + response.status;
            }
          }

          // Every data request: the token as a bearer header, a clear message on 401 and 403.
          async function call(url, options) {
            var secret = token();
            if (!secret) { askForToken(); throw new Error("no token"); }
            options = options || {};
            options.headers = Object.assign({ "Authorization": "Bearer " + secret }, options.headers || {});
            options.cache = "no-store";
            var response = await fetch(url, options);
            if (response.status === 401) {
              sessionStorage.removeItem(KEY);
              say("401 Unauthorized: the server refused this token (unknown, revoked or expired). Enter another one.", "error");
              askForToken();
              throw new Error("401");
            }
            if (response.status === 403) {
              say("403 Forbidden: this token's scope is too short for " + (options.method || "GET") + " " + url.split("?")[0] +
                  " (" + await problemText(response) + ").", "error");
              throw new Error("403");
            }
            if (!response.ok) {
              say("Error " + response.status + ": " + await problemText(response), "error");
              throw new Error(String(response.status));
            }
            return response;
          }

          async function loadPanels() {
            var response = await call("/dashboard/panels?window=" + encodeURIComponent(byId("window").value));
            byId("panels").innerHTML = await response.text();
            byId("panels").dataset.loaded = String(Date.now());
          }

          async function loadCollections() {
            var response = await call("/collections?limit=500");
            var page = await response.json();
            var select = byId("collection");
            while (select.options.length > 1) { select.remove(1); }
            page.items.forEach(function (collection) {
              var option = document.createElement("option");
              option.value = String(collection.id);
              option.textContent = collection.name + " (" + collection.set_count + " sets)";
              select.appendChild(option);
            });
          }

          async function start() {
            say("");
            ready();
            try {
              await loadPanels();
              await loadCollections();
            } catch (e) {
              // call() has said what went wrong.
            }
          }

          function enrichmentBody() {
            var genes = byId("genes").value.split(/[\s,;]+/).filter(function (name) { return name.length > 0; });
            var body = { genes: genes, limit: 100 };
            var collection = byId("collection").value;
            if (collection) { body.collection = Number(collection); }
            return JSON.stringify(body);
          }

          async function enrich(event) {
            event.preventDefault();
            say("");
            var body = enrichmentBody();
            try {
              var response = await call("/dashboard/enrichment", {
                method: "POST", headers: { "Content-Type": "application/json" }, body: body
              });
              byId("enrichment-result").innerHTML = await response.text();
              lastEnrichment = body;
              byId("download-tsv").disabled = false;
            } catch (e) {
              // call() has said what went wrong.
            }
          }

          // The TSV is fetched with the token in a header and saved from a Blob, so no URL ever carries the token.
          async function downloadTSV() {
            if (!lastEnrichment) { return; }
            try {
              var response = await call("/dashboard/enrichment?format=tsv", {
                method: "POST", headers: { "Content-Type": "application/json" }, body: lastEnrichment
              });
              var url = URL.createObjectURL(await response.blob());
              var link = document.createElement("a");
              link.href = url;
              link.download = "enrichment.tsv";
              document.body.appendChild(link);
              link.click();
              link.remove();
              setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
            } catch (e) {
              // call() has said what went wrong.
            }
          }

          byId("token-form").addEventListener("submit", function (event) {
            event.preventDefault();
            var secret = byId("token-input").value.trim();
            byId("token-input").value = "";
            if (!secret) { say("Enter a token.", "error"); return; }
            sessionStorage.setItem(KEY, secret);
            start();
          });
          byId("window").addEventListener("change", function () { loadPanels().catch(function () {}); });
          byId("refresh").addEventListener("click", function () { say(""); loadPanels().catch(function () {}); });
          byId("forget").addEventListener("click", function () {
            sessionStorage.removeItem(KEY);
            byId("panels").innerHTML = "";
            byId("enrichment-result").innerHTML = "";
            say("The token is forgotten.", "info");
            askForToken();
          });
          byId("enrichment-form").addEventListener("submit", enrich);
          byId("download-tsv").addEventListener("click", downloadTSV);

          if (token()) { start(); } else { askForToken(); }
        })();

        """#

    static let stylesheet = #"""
        :root { color-scheme: light; --accent: #2f6690; --muted: #5c6770; --line: #d9dee3; }
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d2329; background: #f6f7f9; }
        header { display: flex; align-items: baseline; gap: 2rem; padding: 0.75rem 1.5rem; background: #fff; border-bottom: 1px solid var(--line); }
        header h1 { font-size: 1.25rem; margin: 0; }
        main { padding: 1rem 1.5rem; max-width: 1100px; }
        form, #controls { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin-bottom: 1rem; }
        form[hidden], #controls[hidden], section[hidden], #message[hidden] { display: none; }
        #token-form input { min-width: 28rem; }
        #enrichment-form { flex-direction: column; align-items: flex-start; }
        #enrichment-form textarea { width: 32rem; font-family: ui-monospace, monospace; }
        .hint { color: var(--muted); font-size: 0.85rem; width: 100%; margin: 0; }
        #message { padding: 0.6rem 0.9rem; border-radius: 4px; margin-bottom: 1rem; }
        #message.error { background: #fde8e8; border: 1px solid #d64545; color: #8a1c1c; }
        #message.info { background: #e8f1fb; border: 1px solid #7aa7d6; }
        .panel { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 0.75rem 1rem; margin-bottom: 1rem; overflow-x: auto; }
        .panel h2 { font-size: 1.05rem; margin: 0 0 0.5rem; }
        .panel h3 { font-size: 0.95rem; margin: 0.75rem 0 0.25rem; }
        .counts { display: flex; gap: 2.5rem; margin: 0; }
        .counts dt { color: var(--muted); font-size: 0.85rem; }
        .counts dd { margin: 0; font-size: 1.6rem; font-weight: 600; }
        .empty, .summary { color: var(--muted); }
        table { border-collapse: collapse; font-size: 0.9rem; }
        th, td { text-align: left; padding: 0.25rem 0.6rem; border-bottom: 1px solid var(--line); }
        th { color: var(--muted); font-weight: 600; }
        .status-success { color: #1b7a3a; }
        .status-failed { color: #b42318; }
        .status-running { color: #946200; }
        .chart { font-size: 12px; max-width: 100%; height: auto; }
        .chart rect { fill: var(--accent); }
        .chart .bar:hover rect { fill: #16425b; }
        .chart .label { fill: #1d2329; }
        .chart .value { fill: var(--muted); }

        """#
}
