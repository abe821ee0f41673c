import Foundation
import VigilModel
import VigilStatus

/// The four pages. `?fragment=main` answers the page's main part alone,
/// which the script swaps in for a live refresh.
struct PageRenderer {
    let console: Console
    let request: WebRequest
    let session: Sessions.Session
    let now: Double

    func answer() -> WebResponse {
        let sources = console.sources
        let format = HumanFormat(now: now)
        let page: Layout.Page
        let main: String
        var plots = false, live = false
        switch request.path {
        case "/console/":
            page = .overview
            live = true
            main = OverviewPage.main(status: sources.status(), format: format)
        case "/console/containers":
            page = .containers
            plots = true
            main = ContainersPage.main(containers: sources.workload("container"), tags: sources.tags(),
                                       range: PlotRange(query: request.query["range"]), format: format,
                                       storeAvailable: sources.store != nil)
        case "/console/metrics":
            page = .metrics
            plots = true
            var names: [String] = []
            var storeError: String?
            if let store = sources.store {
                do { names = try store.metricNames() } catch { storeError = "cannot read the local store: \(error)" }
            } else {
                storeError = "The local store is off (local_store: false): nothing to explore."
            }
            main = MetricsPage.main(choices: MetricsPage.choices(storedNames: names), metric: request.query["metric"],
                                    tags: request.query["tags"] ?? "", range: PlotRange(query: request.query["range"]),
                                    storeError: storeError)
        case "/console/images":
            page = .images
            live = true
            main = ImagesPage.main(images: sources.workload("image"), containers: sources.workload("container"), format: format)
        default:
            return ConsoleResponse.html(404, Layout.bare(title: "Not found", message: "<a href=\"/console/\">Overview</a>"),
                                        request: request)
        }
        if request.query["fragment"] == "main" { return ConsoleResponse.html(200, main, request: request) }
        let layout = Layout(hostname: sources.hostname, csrfToken: session.csrfToken,
                            refreshSeconds: console.settings.refreshSeconds)
        return ConsoleResponse.html(200, layout.page(page, main: main, usesPlots: plots, liveMain: live), request: request)
    }
}
