import Foundation
import VigilModel

/// The metrics explorer: a metric, tag filters and a range; one plot of
/// every matching series (a distribution as its p50, p95 and p99), and the
/// plot's data as CSV.
enum MetricsPage {
    struct Choice: Equatable {
        var name: String
        var isDistribution: Bool
    }

    /// Stored names with each distribution's `.count`, `.p50`, … parts
    /// folded into one choice under the distribution's own name.
    static func choices(storedNames: [String]) -> [Choice] {
        let names = Set(storedNames)
        var distributions = Set<String>()
        for name in names where name.hasSuffix(".p50") {
            let base = String(name.dropLast(4))
            if names.contains(base + ".p99"), names.contains(base + ".count") { distributions.insert(base) }
        }
        let parts = ["count", "sum", "min", "max", "avg", "p50", "p75", "p90", "p95", "p99"]
        var out = distributions.map { Choice(name: $0, isDistribution: true) }
        for name in names {
            if let dot = name.lastIndex(of: "."), distributions.contains(String(name[..<dot])),
               parts.contains(String(name[name.index(after: dot)...])) { continue }
            out.append(Choice(name: name, isDistribution: false))
        }
        return out.sorted { $0.name < $1.name }
    }

    static func main(choices: [Choice], metric: String?, tags: String, range: PlotRange, storeError: String?) -> String {
        var out = "<form class=\"explorer\" method=\"get\" action=\"/console/metrics\">"
        out += "<label>Metric <input name=\"metric\" list=\"metric-names\" size=\"40\" value=\"" + HTML.escape(metric ?? "")
        out += "\" required></label>"
        out += "<label>Tags <input name=\"tags\" size=\"30\" placeholder=\"env:prod,service:web\" value=\""
        out += HTML.escape(tags) + "\"></label><label>Range <select name=\"range\">"
        for r in PlotRange.allCases {
            out += "<option value=\"\(r.rawValue)\"" + (r == range ? " selected" : "") + ">\(r.label)</option>"
        }
        out += "</select></label><button type=\"submit\">Plot</button></form><datalist id=\"metric-names\">"
        for choice in choices {
            out += "<option value=\"" + HTML.escape(choice.name) + "\">" + (choice.isDistribution ? "distribution" : "")
                + "</option>"
        }
        out += "</datalist>"
        if let storeError { return out + "<p class=\"warning\">" + HTML.escape(storeError) + "</p>" }
        guard let metric, !metric.isEmpty else {
            return out + "<p>\(choices.count) metrics stored. Pick one; a distribution is drawn as its p50, p95 and p99.</p>"
        }
        let query = "metric=" + HTML.queryValue(metric) + "&tags=" + HTML.queryValue(tags) + "&range=" + range.rawValue
        let isDistribution = choices.contains(Choice(name: metric, isDistribution: true))
        out += "<figure class=\"plot-frame wide\"><figcaption>" + HTML.escape(metric)
        out += isDistribution ? " (distribution: p50, p95, p99)" : ""
        out += " · <a class=\"csv\" href=\"" + HTML.escape("/console/api/plot.csv?plot=metric&" + query)
        out += "\" download>CSV</a></figcaption><div class=\"plot\" data-plot=\""
        out += HTML.escape("/console/api/plot?plot=metric&" + query) + "\"></div></figure>"
        return out
    }

    /// `env:prod, service:web` → `["env:prod", "service:web"]`.
    static func tagList(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
