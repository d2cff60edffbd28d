import AssayDomain
import Foundation

/// What `/dashboard/panels` shows, gathered from the use cases the API uses, and its HTML: the catalog's counts,
/// the top routes of a window as a bar chart, the last ETL runs and the product leaders. Pure: rendered in tests.
struct DashboardPanels {
    var counts: CatalogCounts
    var window: StatsWindow
    var routes: [RouteCount]
    var runs: [ETLRun]
    var leaders: TopReport

    /// Routes in the chart.
    static let routeLimit = 20
    /// ETL runs in the table.
    static let runLimit = 10
    /// Product leaders in the table.
    static let leaderLimit = 10

    /// Days of product analytics matching a route-statistics window (analytics count whole days, at most 365).
    static func leaderDays(for window: StatsWindow) -> Int {
        switch window {
        case .hour, .day: 1
        case .week: 7
        case .all: 365
        }
    }

    /// The fragment the dashboard page inserts.
    var html: String {
        var out = "<section class=\"panel\" id=\"catalog\"><h2>Catalog</h2><dl class=\"counts\">"
        for (id, name, value) in [
            ("genesets", "Gene sets", counts.genesets), ("genes", "Genes", counts.genes), ("collections", "Collections", counts.collections),
        ] {
            out += "<div><dt>\(name)</dt><dd id=\"count-\(id)\">\(value)</dd></div>"
        }
        out += "</dl></section>"

        out += "<section class=\"panel\" id=\"routes\"><h2>Top \(Self.routeLimit) routes by hits (\(window.rawValue))</h2>"
        if routes.isEmpty {
            out += "<p class=\"empty\">No hits under /api/ in this window.</p>"
        } else {
            let chart = BarChart(
                title: "Hits by path, \(window.rawValue)",
                bars: routes.map { BarChart.Bar(label: $0.path, value: Double($0.count), valueText: String($0.count)) })
            out += chart.svg
        }
        out += "</section>"

        out += "<section class=\"panel\" id=\"etl\"><h2>Last ETL runs</h2>"
        if runs.isEmpty {
            out += "<p class=\"empty\">No ETL run yet.</p>"
        } else {
            out += "<table><thead><tr><th>run</th><th>status</th><th>mode</th><th>started (UTC)</th><th>rows read</th>"
            out += "<th>rejected</th><th>published</th><th>duration</th></tr></thead><tbody>"
            for run in runs {
                let duration = run.finishedAt.map { HTML.duration(milliseconds: $0.timeIntervalSince(run.startedAt) * 1_000) } ?? "running"
                out += "<tr><td>\(run.id)</td><td class=\"status-\(run.status.rawValue)\">\(run.status.rawValue)</td>"
                out += "<td>\(HTML.escape(run.mode.rawValue))</td><td>\(HTML.timestamp(run.startedAt))</td>"
                out += "<td>\(run.counts.read)</td><td>\(run.counts.rejected)</td><td>\(run.counts.published)</td><td>\(duration)</td></tr>"
            }
            out += "</tbody></table>"
        }
        out += "</section>"

        out += "<section class=\"panel\" id=\"leaders\"><h2>Product leaders by views (last \(leaders.window.days) "
        out += leaders.window.days == 1 ? "day)</h2>" : "days)</h2>"
        if leaders.leaders.isEmpty {
            out += "<p class=\"empty\">No product has views in this window.</p>"
        } else {
            out += "<table><thead><tr><th>rank</th><th>product</th><th>category</th><th>views</th><th>total cost</th></tr></thead><tbody>"
            for (index, leader) in leaders.leaders.enumerated() {
                out += "<tr><td>\(index + 1)</td><td>\(HTML.escape(leader.product.name))</td><td>\(HTML.escape(leader.product.category))</td>"
                out += "<td>\(leader.views)</td><td>\(String(format: "%.2f", leader.totalCost.units))</td></tr>"
            }
            out += "</tbody></table>"
        }
        return out + "</section>"
    }
}

/// The enrichment view's chart and table, and its TSV: the top sets by −log10(adjusted p), as Enrichr draws them.
struct EnrichmentPanel {
    var response: EnrichmentResponse

    /// Sets in the chart (the table lists every returned set).
    static let chartLimit = 20

    /// −log10 of an adjusted p-value; a p-value that underflowed to 0 counts as the smallest positive double.
    static func score(_ adjustedP: Double) -> Double {
        -log10(max(adjustedP, Double.leastNonzeroMagnitude))
    }

    var html: String {
        let results = response.results
        var out = "<p class=\"summary\">\(results.count) sets share genes with the list of \(response.listSize) "
        out += "(background \(response.backgroundSize) genes, \(response.tested) sets tested)"
        if !response.unmapped.isEmpty {
            out += "; not in the background: \(HTML.escape(response.unmapped.prefix(20).joined(separator: ", ")))"
            out += response.unmapped.count > 20 ? ", …" : ""
        }
        out += ".</p>"
        guard !results.isEmpty else { return out + "<p class=\"empty\">No set shares a gene with the list.</p>" }
        let chart = BarChart(
            title: "Top sets by -log10(adjusted p)",
            bars: results.prefix(Self.chartLimit).map {
                BarChart.Bar(label: $0.title, value: Self.score($0.adjustedPValue), valueText: HTML.significant(Self.score($0.adjustedPValue)))
            })
        out += "<h3>−log10(adjusted p), top \(min(results.count, Self.chartLimit))</h3>" + chart.svg
        out += "<table><thead><tr><th>rank</th><th>set</th><th>overlap</th><th>p</th><th>adjusted p</th><th>odds ratio</th>"
        out += "<th>combined score</th><th>genes</th></tr></thead><tbody>"
        for (index, term) in results.enumerated() {
            out += "<tr><td>\(index + 1)</td><td>\(HTML.escape(term.title))</td><td>\(term.overlap)/\(term.setSize)</td>"
            out += "<td>\(HTML.significant(term.pValue))</td><td>\(HTML.significant(term.adjustedPValue))</td>"
            out += "<td>\(HTML.significant(term.oddsRatio))</td><td>\(HTML.significant(term.combinedScore))</td>"
            out += "<td>\(HTML.escape(term.genes.joined(separator: ", ")))</td></tr>"
        }
        return out + "</tbody></table>"
    }

    /// The table as tab-separated values with a header row; tabs and line breaks inside a value become spaces.
    var tsv: String {
        func field(_ text: String) -> String {
            String(text.map { $0 == "\t" || $0.isNewline ? " " : $0 })
        }
        var out = "rank\tset_id\tset\tcollection\tset_size\toverlap\tp_value\tadjusted_p_value\todds_ratio\tcombined_score\tgenes\n"
        for (index, term) in response.results.enumerated() {
            let columns = [
                String(index + 1), String(term.setID), field(term.title), term.collection.map(String.init) ?? "", String(term.setSize),
                String(term.overlap), "\(term.pValue)", "\(term.adjustedPValue)", "\(term.oddsRatio)", "\(term.combinedScore)",
                field(term.genes.joined(separator: ";")),
            ]
            out += columns.joined(separator: "\t") + "\n"
        }
        return out
    }
}
