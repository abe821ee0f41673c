import Foundation

/// `vigil-bench idle [--seconds N] [--config FILE]`: starts `vigil run` on
/// the shipped defaults (the repository's vigil.yaml and conf.d, modules
/// from the build folder, its own run_path), waits N seconds (default 30),
/// then prints the agent's resident memory by mapping from
/// /proc/PID/smaps — the executable, each shared library, the heap and
/// anonymous memory — largest first, and the total. Each line also says how
/// much of it is dirty (written: relocations, data, heap), which no other
/// process can share, apart from clean file pages (code, read-only data).
enum IdleBenchmark {
    struct Mapping {
        var name: String
        var rssKB = 0
        var dirtyKB = 0
    }

    static func run(_ arguments: [String]) async throws {
        var seconds = 30.0
        if let flag = arguments.firstIndex(of: "--seconds"), flag + 1 < arguments.count, let n = Double(arguments[flag + 1]) { seconds = n }
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path
        var config = repository + "/vigil.yaml"
        if let flag = arguments.firstIndex(of: "--config"), flag + 1 < arguments.count { config = arguments[flag + 1] }
        let run = NSTemporaryDirectory() + "vigil-idle-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: run) }

        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: products + "/vigil")
        agent.arguments = ["run", "-c", config]
        var environment = ProcessInfo.processInfo.environment
        environment["VIGIL_RUN_PATH"] = run
        environment["VIGIL_CMD_ADDRESS"] = "127.0.0.1:0"
        environment["VIGIL_DOGSTATSD_PORT"] = "0"
        environment["VIGIL_MODULES_PATH"] = products
        agent.environment = environment
        agent.standardOutput = FileHandle.nullDevice
        agent.standardError = FileHandle.nullDevice
        try agent.run()
        defer { if agent.isRunning { agent.terminate(); agent.waitUntilExit() } }
        print("idle benchmark: vigil run -c \(config), modules from \(products); reading /proc/\(agent.processIdentifier)/smaps after \(Int(seconds)) s")
        try await Task.sleep(for: .seconds(seconds))
        guard agent.isRunning else {
            print("  the agent exited (status \(agent.terminationStatus)) before the measurement")
            return
        }
        let mappings = read(pid: agent.processIdentifier)
        func line(_ rssKB: Int, _ dirtyKB: Int, _ name: String) {
            print(String(format: "  %8.1f MB  %6.1f MB dirty  %@", Double(rssKB) / 1024, Double(dirtyKB) / 1024, name))
        }
        for mapping in mappings.sorted(by: { $0.rssKB > $1.rssKB }) where mapping.rssKB >= 256 {
            line(mapping.rssKB, mapping.dirtyKB, mapping.name)
        }
        let small = mappings.filter { $0.rssKB < 256 }
        line(small.reduce(0) { $0 + $1.rssKB }, small.reduce(0) { $0 + $1.dirtyKB }, "(\(small.count) smaller mappings)")
        line(mappings.reduce(0) { $0 + $1.rssKB }, mappings.reduce(0) { $0 + $1.dirtyKB }, "total RSS")
    }

    /// RSS and its dirty part per mapped file (all its segments together),
    /// `[heap]`, `[stack]` and anonymous memory.
    static func read(pid: Int32) -> [Mapping] {
        // /proc files report a size of 0: read to the end, not by size.
        guard let file = FileHandle(forReadingAtPath: "/proc/\(pid)/smaps") else { return [] }
        defer { try? file.close() }
        let text = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
        var byName: [String: Mapping] = [:]
        var current = "[anonymous]"
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let first = fields.first, first.contains("-"), first.first?.isHexDigit == true {
                current = fields.count >= 6 ? fields[5...].joined(separator: " ") : "[anonymous]"
                if current.hasPrefix("/") { current = URL(fileURLWithPath: current).lastPathComponent }
            } else if fields.count >= 2, let kb = Int(fields[1]) {
                switch fields[0] {
                case "Rss:": byName[current, default: Mapping(name: current)].rssKB += kb
                case "Private_Dirty:", "Shared_Dirty:": byName[current, default: Mapping(name: current)].dirtyKB += kb
                default: break
                }
            }
        }
        return Array(byName.values)
    }
}
