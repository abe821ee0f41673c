import ArgumentParser
import Foundation
import VigilForwarding
import VigilAgent
import VigilModel
import VigilStatus

/// `vigil query METRIC [--tag k:v]… [--since 10m] [--json]`, or
/// `vigil query --list [PATTERN]`: reads the
/// local time-series store (the default destination when no `dd_url` is
/// set) straight from `<run_path>/vigil.db`, while the agent runs or not.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Print the points of a metric from the local store.")

    @OptionGroup var options: ConfigOption

    @Argument(help: "Metric name, e.g. container.cpu.usage; with --list, a part of names or a glob.")
    var metric: String?

    @Flag(help: "List stored metric names with their unit, series and point counts and tag keys.")
    var list = false

    @Option(name: .customLong("tag"), help: "Only series carrying this tag (repeatable; host:NAME matches the host).")
    var tags: [String] = []

    @Option(help: "How far back: 30s, 10m, 2h, 1d.")
    var since: String = "1h"

    @Flag(help: "A JSON list of series with metric, tags, points.")
    var json = false

    func run() async throws {
        let config = try options.load()
        guard let window = DurationText.seconds(since), window >= 0 else {
            throw failure("--since: expected a duration such as 30s, 10m, 2h or 1d, not \(since)")
        }
        let query = LocalStoreQuery(config: config)
        if list {
            let metrics: [LocalStoreQuery.MetricSummary]
            do { metrics = try query.list(pattern: metric) } catch { throw failure("\(error)", code: 1) }
            say(json ? JSONValue.array(metrics.map { m in
                .object([("metric", .string(m.metric)), ("series", .int(Int64(m.series))), ("points", .int(Int64(m.points))),
                         ("tag_keys", .array(m.tagKeys.map { .string($0) }))])
            }).serialized(pretty: true) : QueryText.render(metrics), terminator: json ? "\n" : "")
            return
        }
        guard let metric else { throw failure("name a metric, or list them with --list") }
        let results: [LocalStoreQuery.Result]
        do {
            results = try query.run(metric: metric, tags: tags, since: WallClock.nowSeconds() - window)
        } catch {
            throw failure("\(error)", code: 1)
        }
        if json {
            say(JSONValue.array(results.map(\.json)).serialized(pretty: true))
            return
        }
        guard !results.isEmpty else {
            let known = (try? query.metricNames()) ?? []
            var message = "no points for \(metric)\(tags.isEmpty ? "" : " with " + tags.joined(separator: ", ")) in the last \(since)"
            if !known.contains(metric), !known.isEmpty {
                let close = known.filter { $0.contains(metric) || metric.contains($0) }.prefix(10)
                message += close.isEmpty ? "; \(known.count) metrics are stored" : "; did you mean: " + close.joined(separator: ", ")
            }
            sayError(message + "\n")
            throw ExitCode(1)
        }
        say(QueryText.render(results, format: HumanFormat(now: WallClock.now())), terminator: "")
    }
}
