import Foundation
import Testing

/// The first minute of `vigil run` tells an operator what the agent is doing,
/// at info: where DogStatsD listens, the modules loaded, the checks scheduled,
/// the collector's first sync with its counts, and the first flush and where it
/// went, in that order, and a healthy start logs no warning or error.
@Suite(.serialized) struct FirstMinuteLogTests {
    @Test func aHealthyStartTellsTheStoryInOrder() throws {
        let containerd = try ContainerdHarness(namespace: "firstmin")
        defer { containerd.stop() }
        _ = try containerd.importImage(archive: try containerd.buildBusyboxImage(named: "fmbox"), baseName: "docker.io/library/fmbox")
        try containerd.runContainer(id: "fm-web", image: "docker.io/library/fmbox:latest")

        let f = try AgentFixture(extraConfig: "flush_interval: 2")
        defer { f.remove() }
        try f.compileModule(file: AgentFixture.repoRoot + "/Plugins/example/example.c", named: "example.so")
        try f.copyBuiltModule("vigil-containerd", as: "libvigil-containerd.so")
        try f.write("instances:\n  - containerd_socket: \(containerd.socketPath)\n", to: "conf.d/containerd.d/conf.yaml")
        try f.write("instances:\n  - value: 3\n    min_collection_interval: 1\n", to: "conf.d/example.d/conf.yaml")

        let pid = try Subprocess.spawn(AgentFixture.vigil, ["run", "-c", f.configFile],
                                       stdoutPath: f.root + "/out.log", stderrPath: f.root + "/err.log",
                                       environment: ProcessInfo.processInfo.environment.merging(["VIGIL_DOGSTATSD_PORT": "18125"]) { $1 })
        defer { Subprocess.terminate(pid: pid) }
        func log() -> String { (try? String(contentsOfFile: f.root + "/err.log", encoding: .utf8)) ?? "" }
        let flushed = Subprocess.poll(timeout: 20, interval: 0.25) { log().contains("first flush:") }
        Subprocess.terminate(pid: pid)
        let text = log()
        #expect(flushed, "\(text)")

        let story = [
            "module example ", "loaded from \(f.modules)/example.so",
            "module containerd 1.0.0 loaded from \(f.modules)/libvigil-containerd.so",
            "DogStatsD listening on Unix datagram socket \(f.root)/dogstatsd/dsd.socket, queue of",
            "DogStatsD listening on UDP 127.0.0.1:18125",
            "1 check instance (example) scheduled; 1 collector (containerd) started",
            "first sync: 1 containers and 1 images from containerd at \(containerd.socketPath)",
            "first flush:", "to local_store",
        ]
        var position = text.startIndex
        for line in story {
            guard let found = text.range(of: line, range: position..<text.endIndex) else {
                Issue.record("missing or out of order: \"\(line)\"\n\(text)")
                break
            }
            position = found.lowerBound
        }
        let complaints = text.split(separator: "\n").filter { $0.contains(" warning ") || $0.contains(" error ") }
        #expect(complaints.isEmpty, "a healthy start logged: \(complaints)")
    }
}
