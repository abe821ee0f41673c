import Foundation
import VigilModel
import VigilStatus

/// Host, version, uptime, modules, checks, DogStatsD, each forwarding lane
/// and the workload store: the status document, laid out for reading, with
/// what needs attention gathered at the top.
enum OverviewPage {
    static func main(status: JSONValue, format: HumanFormat) -> String {
        var out = "<section class=\"summary\">"
        for key in ["hostname", "version", "uptime_seconds", "config_file"] {
            out += "<div><span class=\"label\">" + HTML.escape(key.replacingOccurrences(of: "_seconds", with: ""))
            out += "</span><span class=\"value\">" + HTML.value(key, status[key] ?? .null, format: format) + "</span></div>"
        }
        out += "</section>"

        let problems = Health.problems(in: status)
        out += "<section id=\"health\"><h2>Health</h2>"
        if problems.isEmpty {
            out += "<p class=\"ok\">Nothing to report: no errors, no refused modules, no data dropped.</p>"
        } else {
            out += "<ul class=\"problems\">" + problems.map {
                "<li><b>" + HTML.escape($0.place) + "</b>: " + HTML.escape($0.what) + "</li>"
            }.joined() + "</ul>"
        }
        out += "</section>"

        // The sections in the order data flows: modules and their checks, intake, forwarding, workload.
        let known = ["hostname", "version", "uptime_seconds", "config_file", "configuration_errors"]
        guard case let .object(fields) = status else { return out }
        for (key, value) in fields where !known.contains(key) {
            out += "<section id=\"" + HTML.escape(key) + "\"><h2>" + HTML.escape(title(key)) + "</h2>"
            out += HTML.section(value, format: format) + "</section>"
        }
        return out
    }

    static func title(_ key: String) -> String {
        switch key {
        case "dogstatsd": "DogStatsD"
        case "forwarder": "Forwarding"
        default: key.prefix(1).uppercased() + key.dropFirst().replacingOccurrences(of: "_", with: " ")
        }
    }
}
