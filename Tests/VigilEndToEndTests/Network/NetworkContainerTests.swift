import Foundation
import Testing

/// The network check through the agent's loader, store and tagger, on real
/// containers with their own network namespace and a veth pair to the host.
@Suite(.serialized)
struct NetworkContainerTests {
    static let namespace = "vigil-net-e2e"
    static let image = "docker.io/library/netbox:latest"

    static var canRun: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/containerd")
            && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
    }

    /// Moves one end of a new veth pair into the container's namespace and addresses both ends.
    static func wireVeth(pid: Int32, host: String, inside: String, subnet: Int) throws {
        try Subprocess.run("ip", ["link", "add", host, "type", "veth", "peer", "name", inside])
        try Subprocess.run("ip", ["link", "set", inside, "netns", "\(pid)"])
        try Subprocess.run("ip", ["addr", "add", "10.213.\(subnet).1/30", "dev", host])
        try Subprocess.run("ip", ["link", "set", host, "up"])
        try Subprocess.run("nsenter", ["-t", "\(pid)", "-n", "ip", "addr", "add", "10.213.\(subnet).2/30", "dev", inside])
        try Subprocess.run("nsenter", ["-t", "\(pid)", "-n", "ip", "link", "set", inside, "up"])
    }

    @Test(.enabled(if: canRun), .timeLimit(.minutes(2)))
    func sentBytesAreAccountedAndSharedNamespacesReportedOnce() async throws {
        // 500 UDP datagrams of 1000 bytes: each 1042 bytes on the wire (+8 UDP, +20 IPv4, +14 Ethernet).
        let datagrams = 500, payload = 1000
        let hostEnd = "vgh\(getpid() % 10000)"
        let (running, series, elapsed) = try await onOwnThread {
            let harness = try ContainerdHarness(namespace: Self.namespace)
            defer { harness.stop() }
            try harness.importImage(archive: try harness.buildBusyboxImage(named: "netbox"), baseName: "docker.io/library/netbox")
            let agent = try ContainerCheckAgent(containerdSocket: harness.socketPath, checks: ["network": "min_collection_interval: 15"])
            defer { agent.stop() }
            try harness.runContainer(id: "sender", image: Self.image)
            guard let pid = try harness.pid(ofContainer: "sender") else {
                throw ContainerCheckAgent.Failure(description: "sender has no pid")
            }
            // A second container joining the first one's network namespace.
            try harness.runContainer(id: "sidecar", image: Self.image, extraArgs: ["--with-ns", "network:/proc/\(pid)/ns/net"])
            let running = agent.waitForRunning("sender") && agent.waitForRunning("sidecar")
            defer { _ = try? Subprocess.run("ip", ["link", "del", hostEnd], check: false) }
            try Self.wireVeth(pid: pid, host: hostEnd, inside: "eth1", subnet: 7)
            // Resolve the neighbour first so ARP does not land inside the measured window.
            try Subprocess.run("nsenter", ["-t", "\(pid)", "-n", "ping", "-c", "1", "-W", "2", "10.213.7.1"], check: false)
            _ = try agent.run("network")   // baseline
            let start = monotonicNow()
            try Subprocess.run("nsenter", ["-t", "\(pid)", "-n", "python3", "-c", """
                import socket
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                for _ in range(\(datagrams)): s.sendto(b"x" * \(payload), ("10.213.7.1", 9))
                """])
            Thread.sleep(forTimeInterval: 1)
            let series = try agent.run("network")
            return (running, series, monotonicNow() - start)
        }
        #expect(running)
        let sent = series.named("container.net.sent", tags: ["interface:eth1"])
        #expect(sent.count == 1, "two containers in one namespace are reported once: \(sent.map(\.tags))")
        let tags = try #require(sent.first?.tags)
        #expect(tags.contains("container_id:sender") || tags.contains("container_id:sidecar"))
        let bytes = (sent.first?.points.last?.value ?? 0) * elapsed
        let expected = Double(datagrams * (payload + 42))
        #expect(abs(bytes - expected) < expected * 0.03, "sent \(bytes) bytes, expected about \(expected)")
        let packets = (series.value("container.net.sent.packets", tags: ["interface:eth1"]) ?? 0) * elapsed
        #expect(abs(packets - Double(datagrams)) < Double(datagrams) * 0.03)
        #expect(series.named("container.net.sent", tags: ["interface:lo"]).isEmpty)
        // The host received them on its end of the pair.
        #expect((series.value("system.net.bytes_rcvd", tags: ["device:\(hostEnd)"]) ?? 0) * elapsed > expected * 0.97)
    }
}
