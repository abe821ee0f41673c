import ArgumentParser
import Foundation
import VigilForwarding
import VigilModel

/// `vigil query METRIC [--tag k:v]… [--since 10m] [--json]`: reads the
/// local time-series store (the default destination when no `dd_url` is
/// set) straight from `<run_path>/vigil.db`, while the agent runs or not.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Print the points of a metric from the local store.")

    @OptionGroup var options: ConfigOption

    @Argument(help: "Metric name, e.g. container.cpu.usage.")
    var metric: String

    @Option(name: .customLong("tag"), help: "Only series carrying this tag (repeatable; host:NAME matches the host).")
    var tags: [String] = []

    @Option(help: "How far back: 30s, 10m, 2h, 1d.")
    var since: String = "1h"

    @Flag(help: "A JSON list of series with metric, tags, points.")
    var json = false

    func run() async throws {
        let config = try options.load()
        guard let window = DurationText.seconds(since), window >= 0 else {
            throw ValidationError("--since: expected a duration such as 30s, 10m, 2h or 1d, not \(since)")
        }
        let query = LocalStoreQuery(config: config)
        let results: [LocalStoreQuery.Result]
        do {
            results = try query.run(metric: metric, tags: tags, since: WallClock.nowSeconds() - window)
        } catch {
            throw ValidationError("\(error)")
        }
        if json {
            print(JSONValue.array(results.map(\.json)).serialized(pretty: true))
            return
        }
        guard !results.isEmpty else {
            let known = (try? query.metricNames()) ?? []
            var message = "no points for \(metric)\(tags.isEmpty ? "" : " with " + tags.joined(separator: ", ")) in the last \(since)"
            if !known.contains(metric), !known.isEmpty {
                let close = known.filter { $0.contains(metric) || metric.contains($0) }.prefix(10)
                message += close.isEmpty ? "; \(known.count) metrics are stored" : "; did you mean: " + close.joined(separator: ", ")
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            throw ExitCode(1)
        }
        print(render(results))
    }

    private func render(_ results: [LocalStoreQuery.Result]) -> String {
        let formatter = ISO8601DateFormatter()
        var out = ""
        for result in results {
            let labels = (result.host.isEmpty ? [] : ["host:\(result.host)"]) + result.tags
            out += "\(result.metric) {\(labels.joined(separator: ", "))} \(result.type)\n"
            for point in result.points {
                let when = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(point.timestamp)))
                out += "  \(when)  \(JSONValue.double(point.value).serialized())\n"
            }
        }
        return out.hasSuffix("\n") ? String(out.dropLast()) : out
    }
}
