/// The frame every console page shares: navigation, the logout form with
/// its CSRF token, the chart library and the console's own script. No
/// inline script or style anywhere, so the Content-Security-Policy can
/// forbid both.
struct Layout {
    enum Page: String, CaseIterable {
        case overview, containers, metrics, images

        var path: String { self == .overview ? "/console/" : "/console/\(rawValue)" }
        var title: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
    }

    var hostname: String
    var csrfToken: String
    var refreshSeconds: Int

    func page(_ page: Page, main: String, usesPlots: Bool = false, liveMain: Bool = false) -> String {
        var html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        html += "<title>" + HTML.escape("\(page.title) · \(hostname) · Vigil") + "</title>"
        // No favicon request: the status server would answer it 404, a console error in every browser.
        html += "<link rel=\"icon\" href=\"data:,\">"
        if usesPlots { html += "<link rel=\"stylesheet\" href=\"/console/static/dygraph.min.css\">" }
        html += "<link rel=\"stylesheet\" href=\"/console/static/console.css\">"
        if usesPlots { html += "<script src=\"/console/static/dygraph.min.js\" defer></script>" }
        html += "<script src=\"/console/static/console.js\" defer></script></head>"
        html += "<body data-page=\"\(page.rawValue)\" data-refresh-seconds=\"\(refreshSeconds)\""
        html += liveMain ? " data-live-main=\"1\">" : ">"
        html += "<header><span class=\"brand\">Vigil</span><span class=\"host\">" + HTML.escape(hostname) + "</span><nav>"
        for p in Page.allCases {
            html += "<a href=\"\(p.path)\"" + (p == page ? " class=\"current\"" : "") + ">\(p.title)</a>"
        }
        html += "</nav><form method=\"post\" action=\"/console/logout\" class=\"logout\">"
        html += "<input type=\"hidden\" name=\"csrf\" value=\"" + HTML.escape(csrfToken) + "\">"
        html += "<button type=\"submit\">Log out</button></form></header>"
        html += "<main id=\"main\">" + main + "</main></body></html>"
        return html
    }

    /// Pages shown without a session: no navigation, no script.
    static func bare(title: String, message: String) -> String {
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + HTML.escape(title)
            + " · Vigil</title><link rel=\"icon\" href=\"data:,\"></head><body><h1>" + HTML.escape(title) + "</h1><p>"
            + message + "</p></body></html>"
    }
}
