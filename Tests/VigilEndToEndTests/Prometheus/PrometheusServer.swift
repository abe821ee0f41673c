import Foundation
@testable import VigilStatus

/// A real Prometheus (Debian's `prometheus`) on a free loopback port with
/// its remote-write receiver on, a private storage folder and, optionally,
/// scrape targets. It can be stopped and started again on the same port
/// and storage, as an outage would.
final class PrometheusServer: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { var description: String }

    struct Sample: Sendable {
        var labels: [String: String]
        var value: Double
    }

    static let binary = "/usr/bin/prometheus"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    let root: String
    let port: Int
    private var pid: pid_t?

    var remoteWriteURL: String { "http://127.0.0.1:\(port)/api/v1/write" }

    init(scrapeTargets: [String] = []) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-prom-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
        port = try RecordingIntake.freePort()
        try scrape(scrapeTargets)
    }

    /// Writes the configuration: a 1 s scrape of `targets` as job `vigil`.
    func scrape(_ scrapeTargets: [String]) throws {
        var config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
        if !scrapeTargets.isEmpty {
            config += "scrape_configs:\n  - job_name: vigil\n    static_configs:\n      - targets: [\(scrapeTargets.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
        }
        try config.write(toFile: root + "/prometheus.yml", atomically: true, encoding: .utf8)
    }

    /// Starts (or restarts) and waits until `/-/ready` answers 200.
    func start() throws {
        pid = try Subprocess.spawn(Self.binary, [
            "--config.file=\(root)/prometheus.yml", "--storage.tsdb.path=\(root)/data",
            "--web.listen-address=127.0.0.1:\(port)", "--web.enable-remote-write-receiver",
        ], stdoutPath: root + "/out.log", stderrPath: root + "/err.log")
        let ready = Subprocess.poll(timeout: 30, interval: 0.1) { (try? get("/-/ready").status) == 200 }
        guard ready else {
            let log = (try? String(contentsOfFile: root + "/err.log", encoding: .utf8)) ?? ""
            throw Failure(description: "prometheus not ready on \(port): \(log.suffix(2000))")
        }
    }

    /// SIGTERM, then waits for the exit (Prometheus writes its WAL first).
    func stop() {
        guard let pid else { return }
        Subprocess.terminate(pid: pid, grace: 20)
        self.pid = nil
    }

    func remove() {
        stop()
        try? FileManager.default.removeItem(atPath: root)
    }

    func get(_ target: String) throws -> HTTPGet.Response {
        try HTTPGet.fetch(address: StatusAddress(host: "127.0.0.1", port: port), target: target, headers: [:], timeoutSeconds: 10)
    }

    /// An instant query through the HTTP API; vectors only.
    func query(_ promql: String) throws -> [Sample] {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = promql.addingPercentEncoding(withAllowedCharacters: allowed) ?? promql
        let response = try get("/api/v1/query?query=" + encoded)
        guard response.status == 200,
              let root = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any],
              let data = root["data"] as? [String: Any], let result = data["result"] as? [[String: Any]]
        else { throw Failure(description: "query \(promql): HTTP \(response.status) \(response.body.prefix(500))") }
        return result.compactMap { entry in
            guard let metric = entry["metric"] as? [String: String], let pair = entry["value"] as? [Any],
                  pair.count == 2, let text = pair[1] as? String, let value = Double(text) else { return nil }
            return Sample(labels: metric, value: value)
        }
    }

    /// The single value of `promql`, waiting up to `timeout` seconds for it
    /// to satisfy `condition` (remote write and scrapes land asynchronously).
    func value(_ promql: String, timeout: Double = 15, until condition: (Double) -> Bool = { _ in true }) -> Double? {
        var last: Double?
        _ = Subprocess.poll(timeout: timeout, interval: 0.2) {
            guard let samples = try? query(promql), samples.count == 1 else { return false }
            last = samples[0].value
            return condition(samples[0].value)
        }
        return last
    }
}
