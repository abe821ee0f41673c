import CVigilModule
import Foundation
import Testing

/// The network module on a fixture proc root: namespaces are files whose
/// inode stands for the namespace (hard links share one), so sharing, host
/// networking and recreated namespaces can be staged exactly.
@Suite(.serialized)
struct NetworkFixtureTests {
    static let header = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed

        """

    static func netDev(_ interfaces: [(String, rxBytes: Int, rxPackets: Int, txBytes: Int, txPackets: Int, errs: Int, drops: Int)]) -> String {
        header + interfaces.map { i in
            "\(i.0): \(i.rxBytes) \(i.rxPackets) \(i.errs) \(i.drops) 0 0 0 0 \(i.txBytes) \(i.txPackets) 0 \(i.drops) 0 0 0 0"
        }.joined(separator: "\n") + "\n"
    }

    final class ProcRoot {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-proc-\(UUID().uuidString)").path
        init() throws { try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: root) }

        /// A process whose namespace is a new file, or a hard link to `sharing`'s.
        func process(_ pid: String, netDev: String, sharing: String? = nil) throws {
            try FileManager.default.createDirectory(atPath: "\(root)/\(pid)/ns", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: "\(root)/\(pid)/net", withIntermediateDirectories: true)
            try setDev(pid, netDev)
            let ns = "\(root)/\(pid)/ns/net"
            if let sharing {
                try? FileManager.default.removeItem(atPath: ns)
                try FileManager.default.linkItem(atPath: "\(root)/\(sharing)/ns/net", toPath: ns)
            } else {
                // Made beside the old one, then renamed over it: a new inode, as a new namespace has.
                try "ns".write(toFile: ns + ".new", atomically: false, encoding: .utf8)
                guard rename(ns + ".new", ns) == 0 else { throw CocoaError(.fileWriteUnknown) }
            }
        }

        func setDev(_ pid: String, _ text: String) throws {
            try text.write(toFile: "\(root)/\(pid)/net/dev", atomically: false, encoding: .utf8)
        }
    }

    func harness(_ proc: ProcRoot, _ containers: [ModuleHarness.Container]) throws -> ModuleHarness {
        let h = try ModuleHarness(product: "vigil-network")
        h.options["proc_root"] = proc.root
        h.containers = containers
        for c in containers { h.tags["container_id://\(c.id)"] = ["container_id:\(c.id)"] }
        try h.configure()
        return h
    }

    @Test func ratesPerInterfaceSharedNamespacesOnceHostNetworkSkipped() throws {
        let proc = try ProcRoot()
        try proc.process("1", netDev: Self.netDev([("eth0", 1000, 10, 2000, 20, 0, 0)]))
        try proc.process("self", netDev: Self.netDev([("eth0", 1000, 10, 2000, 20, 0, 0)]), sharing: "1")
        try proc.process("100", netDev: Self.netDev([("eth0", 0, 0, 0, 0, 0, 0)]), sharing: "1")   // host network
        try proc.process("200", netDev: Self.netDev([("lo", 5, 5, 5, 5, 0, 0), ("eth0", 100, 1, 500, 5, 0, 0)]))
        try proc.process("201", netDev: Self.netDev([("eth0", 100, 1, 500, 5, 0, 0)]), sharing: "200")
        let h = try harness(proc, [
            .init(id: "hostnet", pid: 100, cgroupPath: "/a"),
            .init(id: "web", pid: 200, cgroupPath: "/b"),
            .init(id: "sidecar", pid: 201, cgroupPath: "/c"),
        ])
        #expect(try h.run().isEmpty, "the first run only sets baselines")
        let start = monotonicSeconds()
        try proc.setDev("1", Self.netDev([("eth0", 11000, 20, 4000, 25, 0, 0)]))
        try proc.setDev("200", Self.netDev([("lo", 9, 9, 9, 9, 0, 0), ("eth0", 2100, 11, 10500, 15, 3, 2)]))
        try proc.setDev("201", Self.netDev([("eth0", 2100, 11, 10500, 15, 3, 2)]))
        Thread.sleep(forTimeInterval: 0.2)
        let samples = try h.run()
        let elapsed = monotonicSeconds() - start

        let sent = samples.filter { $0.name == "container.net.sent" }
        #expect(sent.count == 1, "one namespace shared by two containers is reported once")
        // Under the smallest id sharing it, whatever the listing order.
        #expect(sent.first?.tags == ["container_id:sidecar", "interface:eth0"])
        #expect(abs((sent.first?.value ?? 0) * elapsed - 10_000) < 1_000)
        #expect(abs(try #require(samples.value("container.net.rcvd")) * elapsed - 2_000) < 200)
        #expect(abs(try #require(samples.value("container.net.sent.packets")) * elapsed - 10) < 1)
        #expect(abs(try #require(samples.value("container.net.errors")) * elapsed - 3) < 0.3)
        #expect(abs(try #require(samples.value("container.net.drops")) * elapsed - 4) < 0.4)
        #expect(!samples.contains { $0.tags.contains("interface:lo") || $0.tags.contains("device:lo") })
        #expect(!samples.contains { $0.tags.contains("container_id:hostnet") })

        let hostRcvd = try #require(samples.first { $0.name == "system.net.bytes_rcvd" })
        #expect(hostRcvd.tags == ["device:eth0"])
        #expect(abs(hostRcvd.value * elapsed - 10_000) < 1_000)
        #expect(abs(try #require(samples.value("system.net.packets_in.count")) * elapsed - 10) < 1)
        #expect(abs(try #require(samples.value("system.net.packets_out.count")) * elapsed - 5) < 0.5)
    }

    @Test func recreatedNamespaceStartsANewBaseline() throws {
        let proc = try ProcRoot()
        try proc.process("self", netDev: Self.netDev([("eth0", 0, 0, 0, 0, 0, 0)]))
        try proc.process("300", netDev: Self.netDev([("eth0", 0, 0, 5_000, 5, 0, 0)]))
        let h = try harness(proc, [.init(id: "app", pid: 300, cgroupPath: "/x")])
        try h.run()
        // Restarted: a new namespace whose counters already exceed the old ones.
        try proc.process("300", netDev: Self.netDev([("eth0", 0, 0, 9_000, 9, 0, 0)]))
        let samples = try h.run()
        #expect(samples.value("container.net.sent") == nil)
    }

    @Test func countersGoToTheHostAsRatesWithTheNamespaceAsEpoch() throws {
        let proc = try ProcRoot()
        try proc.process("self", netDev: Self.netDev([("eth0", 7, 1, 9, 2, 0, 0)]))
        try proc.process("300", netDev: Self.netDev([("eth0", 0, 0, 5_000, 5, 0, 0)]))
        let h = try harness(proc, [.init(id: "app", pid: 300, cgroupPath: "/x")])
        try h.run()
        let sent = try #require(h.submissions.first { $0.name == "container.net.sent" })
        #expect(sent.type == UInt32(VIGIL_METRIC_RATE.rawValue))
        #expect(sent.value == 5_000, "the raw counter; the host computes the rate")
        let hostSent = try #require(h.submissions.first { $0.name == "system.net.bytes_sent" })
        #expect(hostSent.type == UInt32(VIGIL_METRIC_RATE.rawValue) && hostSent.value == 9)
        var st = stat()
        #expect(stat(proc.root + "/self/ns/net", &st) == 0)
        #expect(hostSent.epoch == UInt64(st.st_ino), "the host's namespace inode")
        #expect(sent.epoch != 0 && sent.epoch != hostSent.epoch)
        try h.run()
        #expect(h.submissions.first { $0.name == "container.net.sent" }?.epoch == sent.epoch, "same namespace, same epoch")
        try proc.process("300", netDev: Self.netDev([("eth0", 0, 0, 9_000, 9, 0, 0)]))
        try h.run()
        #expect(h.submissions.first { $0.name == "container.net.sent" }.map { $0.epoch != sent.epoch } == true,
                "a recreated namespace is a new epoch")
    }

    @Test func sharedNamespaceIsReportedUnderTheSmallestContainerIDWhateverTheOrder() throws {
        let proc = try ProcRoot()
        try proc.process("self", netDev: Self.netDev([("eth0", 0, 0, 0, 0, 0, 0)]))
        try proc.process("200", netDev: Self.netDev([("eth0", 100, 1, 500, 5, 0, 0)]))
        try proc.process("201", netDev: Self.netDev([("eth0", 100, 1, 500, 5, 0, 0)]), sharing: "200")
        let web = ModuleHarness.Container(id: "web", pid: 200, cgroupPath: "/b")
        let sidecar = ModuleHarness.Container(id: "sidecar", pid: 201, cgroupPath: "/c")
        let h = try harness(proc, [web, sidecar])
        try h.run()
        #expect(h.submissions.filter { $0.name == "container.net.sent" }.map(\.tags) == [["container_id:sidecar", "interface:eth0"]])
        // Listed the other way round, the series keeps its tags, so the host can rate it.
        h.containers = [sidecar, web]
        try proc.setDev("200", Self.netDev([("eth0", 100, 1, 700, 7, 0, 0)]))
        let samples = try h.run()
        #expect(samples.filter { $0.name == "container.net.sent" }.map(\.tags) == [["container_id:sidecar", "interface:eth0"]])
    }

    @Test func unknownProcessesAreSkipped() throws {
        let proc = try ProcRoot()
        try proc.process("self", netDev: Self.netDev([("eth0", 0, 0, 0, 0, 0, 0)]))
        let h = try harness(proc, [.init(id: "ghost", pid: 999_999, cgroupPath: "/x")])
        try h.run()
        #expect(try h.run().allSatisfy { $0.name.hasPrefix("system.net.") })
        #expect(h.logs.allSatisfy { $0.level <= 1 })
    }

    @Test func parsesThisHostsOwnNetDev() throws {
        let h = try ModuleHarness(product: "vigil-network")
        try h.configure()
        try h.run()
        let samples = try h.run()
        let text = try String(contentsOfFile: "/proc/self/net/dev", encoding: .utf8)
        let interfaces = text.split(separator: "\n").dropFirst(2)
            .compactMap { $0.split(separator: ":").first?.trimmingCharacters(in: .whitespaces) }
            .filter { $0 != "lo" }
        let reported = Set(samples.filter { $0.name == "system.net.bytes_sent" }.flatMap(\.tags))
        #expect(reported == Set(interfaces.map { "device:\($0)" }))
    }
}
