import VigilForwarding
import VigilStatus

/// `/console/api/plot` (JSON for dygraphs) and `/console/api/plot.csv`
/// (the same rows to download). `plot=container-cpu|container-memory&id=…`
/// or `plot=metric&metric=…&tags=k:v,…`; `range=15m|1h|6h|24h`;
/// `width=` the plot's pixels, the number of buckets asked for.
struct PlotAPI {
    let console: Console
    let request: WebRequest
    let now: Double

    /// Wider than any screen; bounds the work a crafted URL can ask for.
    static let maxWidth = 4000

    func answer() -> WebResponse {
        let csv = request.path == "/console/api/plot.csv"
        guard csv || request.path == "/console/api/plot" else { return error(404, "no such path") }
        guard let store = console.sources.store else { return error(404, "the local store is off (local_store: false)") }
        guard let spec = spec(store: store) else { return error(400, "plot= must be container-cpu, container-memory or metric") }
        let range = PlotRange(query: request.query["range"])
        let width = min(Self.maxWidth, max(10, Int(request.query["width"] ?? "") ?? 800))
        do {
            let data = try PlotData.read(spec, store: store, end: Int64(now), range: range.seconds, width: width,
                                         minimumStep: Int64(console.settings.refreshSeconds))
            if csv {
                let name = spec.title.map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "_" }
                return ConsoleResponse.make(status: 200, contentType: "text/csv; charset=utf-8", body: Array(data.csv().utf8),
                                            request: request, extraHeaders: [
                                                ("Content-Disposition", "attachment; filename=\"\(String(name))-\(range.rawValue).csv\""),
                                            ])
            }
            return ConsoleResponse.json(200, data.json(), request: request)
        } catch let failure {
            return self.error(503, "\(failure)")
        }
    }

    private func spec(store: LocalStoreQuery) -> PlotSpec? {
        switch request.query["plot"] {
        case "container-cpu": return request.query["id"].map { PlotSpec.containerCPU(id: $0) }
        case "container-memory": return request.query["id"].map { PlotSpec.containerMemory(id: $0) }
        case "metric":
            guard let metric = request.query["metric"], !metric.isEmpty else { return nil }
            let names = (try? store.metricNames()) ?? []
            let isDistribution = MetricsPage.choices(storedNames: names).contains(.init(name: metric, isDistribution: true))
            return PlotSpec.metric(metric, tags: MetricsPage.tagList(request.query["tags"] ?? ""), isDistribution: isDistribution)
        default: return nil
        }
    }

    private func error(_ status: Int, _ message: String) -> WebResponse {
        ConsoleResponse.json(status, VigilModelJSON.error(message), request: request)
    }
}
