import Foundation
import VigilConfig
import VigilDogStatsD
import VigilModel

/// A temp folder holding the sockets of one test server, removed on deinit.
final class DogStatsDFixture {
    let directory: String
    let server: DogStatsDServer
    let udpPort: Int

    /// Starts a server with every listener on; retries UDP ports that are taken.
    init(extraYAML: String = "", tagProvider: TagProvider? = nil, hostname: String = "e2ehost") throws {
        directory = "/tmp/vigil-dsd-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var lastError: Error?
        for _ in 0..<8 {
            let port = Int.random(in: 20_000..<60_000)
            let yaml = """
                run_path: \(directory)
                dogstatsd_socket_dir: \(directory)
                dogstatsd_stream_socket: \(directory)/dsd.stream
                dogstatsd_port: \(port)
                \(extraYAML)
                """
            do {
                let config = try AgentConfig.fromYAML(yaml, baseDirectory: directory)
                let server = try DogStatsDServer(config: config, hostname: hostname, tagProvider: tagProvider)
                try server.start()
                self.server = server
                self.udpPort = port
                return
            } catch {
                lastError = error
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
        throw lastError!
    }

    var socketPath: String { directory + "/dsd.socket" }
    var streamPath: String { directory + "/dsd.stream" }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Polls until `condition` holds or `timeout` passes.
    func wait(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }
}

/// Runs a process to completion with a timeout; returns exit status and output.
@discardableResult
func runProcess(_ executable: String, _ arguments: [String], timeout: Double = 30) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
        process.terminate()
        process.waitUntilExit()
    }
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return (process.terminationStatus, output)
}
