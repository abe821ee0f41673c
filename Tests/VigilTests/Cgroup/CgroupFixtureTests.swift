import CVigilModule
import Foundation
import Testing

/// The cgroup module on fixture trees laid out like real v1 and v2 hosts, with
/// cgroup_root overridden as for an agent running in a container.
@Suite(.serialized)
struct CgroupFixtureTests {
    static let webTags = ["container_id:web", "image_name:nginx"]

    func harness(root: String, containers: [ModuleHarness.Container]) throws -> ModuleHarness {
        let h = try ModuleHarness(product: "vigil-cgroup")
        h.options["cgroup_root"] = root
        h.containers = containers
        for c in containers { h.tags["container_id://\(c.id)"] = ["container_id:\(c.id)", "image_name:nginx"] }
        try h.configure()
        return h
    }

    @Test func v2GaugesAndTags() throws {
        let tree = try FixtureTree("v2")
        let h = try harness(root: tree.path, containers: [.init(id: "web", pid: 4242, cgroupPath: "/default/web")])
        let samples = try h.run()
        #expect(samples.value("container.memory.limit") == 268_435_456)
        #expect(samples.value("container.memory.soft_limit") == 134_217_728)
        #expect(samples.value("container.memory.usage") == 5_500_928)
        #expect(samples.value("container.memory.rss") == 1_052_672)
        #expect(samples.value("container.memory.cache") == 4_096_000)
        #expect(samples.value("container.memory.working_set") == Double(5_500_928 - 2_048_000))
        #expect(samples.value("container.memory.kernel") == 405_504)
        #expect(samples.value("container.memory.swap") == 0)
        #expect(samples.value("container.memory.oom_events") == 1)
        #expect(samples.value("container.cpu.limit") == 500_000_000)
        #expect(samples.value("container.pid.thread_count") == 4)
        #expect(samples.value("container.pid.thread_limit") == nil, "pids.max is \"max\"")
        #expect((samples.value("container.uptime") ?? 0) > 0)
        // Rates need two samples.
        #expect(samples.value("container.cpu.usage") == nil)
        #expect(samples.allSatisfy { $0.tags == Self.webTags })
    }

    @Test func v2RatesAcrossRuns() throws {
        let tree = try FixtureTree("v2")
        let h = try harness(root: tree.path, containers: [.init(id: "web", pid: 4242, cgroupPath: "/default/web")])
        try h.run()
        let first = monotonicSeconds()
        try tree.write("default/web/cpu.stat", """
            usage_usec 3000000
            user_usec 2100000
            system_usec 900000
            nr_periods 1300
            nr_throttled 80
            throttled_usec 1040000
            """)
        try tree.write("default/web/io.stat", "254:0 rbytes=5144576 wbytes=8192 rios=164 wios=2 dbytes=0 dios=0\n")
        Thread.sleep(forTimeInterval: 0.25)
        let samples = try h.run()
        let elapsed = monotonicSeconds() - first
        // 1 s of CPU time over `elapsed` seconds, in ns/s.
        let usage = try #require(samples.value("container.cpu.usage"))
        #expect(abs(usage * elapsed - 1e9) < 0.1e9)
        #expect(abs(try #require(samples.value("container.cpu.user")) * elapsed - 0.6e9) < 0.06e9)
        #expect(abs(try #require(samples.value("container.cpu.throttled")) * elapsed - 0.2e9) < 0.02e9)
        #expect(abs(try #require(samples.value("container.cpu.throttled.periods")) * elapsed - 10) < 1)
        let device = "device:\(expectedDeviceName(major: 254, minor: 0))"
        let read = try #require(samples.first { $0.name == "container.io.read" })
        #expect(read.tags == Self.webTags + [device])
        #expect(abs(read.value * elapsed - 1_048_576) < 104_858)
        #expect(abs(try #require(samples.value("container.io.read.operations")) * elapsed - 64) < 6.4)
        #expect(samples.value("container.io.write") == 0)
        // Page faults did not move: a zero rate.
        #expect(samples.value("container.memory.page_faults") == 0)
    }

    @Test func restartedContainerStartsANewBaseline() throws {
        let tree = try FixtureTree("v2")
        let h = try harness(root: tree.path, containers: [.init(id: "web", pid: 4242, cgroupPath: "/default/web")])
        try h.run()
        // The container restarts under the same id: new PID and start time, counters from zero.
        h.containers = [.init(id: "web", pid: 5151, cgroupPath: "/default/web", startedAt: 1_700_000_100_000_000_000)]
        try tree.write("default/web/cpu.stat", "usage_usec 2500000\nuser_usec 1000\nsystem_usec 1000\n")
        let afterRestart = try h.run()
        #expect(afterRestart.value("container.cpu.usage") == nil, "a restart must not yield a rate")
        #expect(afterRestart.value("container.memory.usage") == 5_500_928)
        let start = monotonicSeconds()
        try tree.write("default/web/cpu.stat", "usage_usec 2700000\nuser_usec 1000\nsystem_usec 1000\n")
        Thread.sleep(forTimeInterval: 0.2)
        let next = try h.run()
        let elapsed = monotonicSeconds() - start
        #expect(abs(try #require(next.value("container.cpu.usage")) * elapsed - 0.2e9) < 0.02e9)
    }

    @Test func countersGoToTheHostAsRatesWithTheContainersIncarnationAsEpoch() throws {
        let tree = try FixtureTree("v2")
        let h = try harness(root: tree.path, containers: [.init(id: "web", pid: 4242, cgroupPath: "/default/web")])
        try h.run()
        let usage = try #require(h.submissions.first { $0.name == "container.cpu.usage" })
        #expect(usage.type == UInt32(VIGIL_METRIC_RATE.rawValue))
        #expect(usage.value == 2e9, "the raw counter, in ns; the host computes the rate")
        let incarnation = UInt64(1_700_000_000_000_000_000) ^ (UInt64(4242) << 32)
        #expect(usage.epoch == incarnation)
        #expect(h.submissions.filter { $0.type == UInt32(VIGIL_METRIC_RATE.rawValue) }.allSatisfy { $0.epoch == incarnation })
        let limit = try #require(h.submissions.first { $0.name == "container.memory.limit" })
        #expect(limit.type == UInt32(VIGIL_METRIC_GAUGE.rawValue) && limit.epoch == 0)
        h.containers = [.init(id: "web", pid: 5151, cgroupPath: "/default/web", startedAt: 1_700_000_100_000_000_000)]
        try h.run()
        #expect(h.submissions.first { $0.name == "container.cpu.usage" }?.epoch
                == UInt64(1_700_000_100_000_000_000) ^ (UInt64(5151) << 32))
    }

    @Test func counterGoingBackwardsIsNotARate() throws {
        let tree = try FixtureTree("v2")
        let h = try harness(root: tree.path, containers: [.init(id: "web", pid: 4242, cgroupPath: "/default/web")])
        try h.run()
        try tree.write("default/web/cpu.stat", "usage_usec 10\nuser_usec 5\nsystem_usec 5\nnr_throttled 0\nthrottled_usec 0\n")
        let samples = try h.run()
        #expect(samples.value("container.cpu.usage") == nil)
        #expect(samples.value("container.cpu.throttled.periods") == nil)
    }

    @Test func vanishedContainerIsSkippedQuietly() throws {
        let tree = try FixtureTree("v2")
        let h = try harness(root: tree.path, containers: [
            .init(id: "gone", pid: 77, cgroupPath: "/default/gone"),
            .init(id: "web", pid: 4242, cgroupPath: "/default/web"),
        ])
        let samples = try h.run()
        #expect(!samples.isEmpty)
        #expect(samples.allSatisfy { $0.tags.contains("container_id:web") })
        #expect(h.logs.allSatisfy { $0.level <= 1 }, "only debug lines: \(h.logs)")
    }

    @Test func stoppedContainersAreIgnored() throws {
        let tree = try FixtureTree("v2")
        var stopped = ModuleHarness.Container(id: "web", pid: 4242, cgroupPath: "/default/web")
        stopped.state = 4   // VIGIL_CONTAINER_STOPPED
        let h = try harness(root: tree.path, containers: [stopped, .init(id: "zero", pid: 0, cgroupPath: "/default/web")])
        #expect(try h.run().isEmpty)
    }

    @Test func v1CoMountedControllersBelowARoot() throws {
        let tree = try FixtureTree("v1")
        let h = try harness(root: tree.path, containers: [.init(id: "db", pid: 7, cgroupPath: "/default/db")])
        let samples = try h.run()
        #expect(samples.value("container.memory.usage") == 10_485_760)
        #expect(samples.value("container.memory.rss") == 3_145_728)
        #expect(samples.value("container.memory.cache") == 6_291_456)
        #expect(samples.value("container.memory.working_set") == Double(10_485_760 - 4_194_304))
        #expect(samples.value("container.memory.kernel") == 65_536)
        #expect(samples.value("container.memory.oom_events") == 3)
        #expect(samples.value("container.memory.limit") == nil, "v1 reports an unlimited cgroup as 2^63 - 4096")
        #expect(samples.value("container.memory.soft_limit") == nil)
        // No quota: the limit is every CPU of the host.
        #expect(samples.value("container.cpu.limit") == Double(ProcessInfo.processInfo.activeProcessorCount) * 1e9)
        #expect(samples.value("container.pid.thread_count") == 3)
        #expect(samples.value("container.pid.thread_limit") == 512)

        let start = monotonicSeconds()
        try tree.write("cpu,cpuacct/default/db/cpuacct.stat", "user 350\nsystem 100\n")
        try tree.write("cpu,cpuacct/default/db/cpuacct.usage", "4500000000\n")
        try tree.write("blkio/default/db/blkio.throttle.io_service_bytes_recursive",
                       "8:0 Read 1048576\n8:0 Write 2101248\nTotal 3149824\n")
        try tree.write("memory/default/db/memory.stat", "total_pgfault 9100\ntotal_pgmajfault 12\ntotal_rss 1\n")
        Thread.sleep(forTimeInterval: 0.2)
        let next = try h.run()
        let elapsed = monotonicSeconds() - start
        #expect(abs(try #require(next.value("container.cpu.usage")) * elapsed - 0.5e9) < 0.05e9)
        // cpuacct.stat counts USER_HZ ticks: 50 ticks are 0.5 s.
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        #expect(abs(try #require(next.value("container.cpu.user")) * elapsed - 50 / ticks * 1e9) < 0.05e9)
        #expect(next.value("container.cpu.system") == 0)
        #expect(abs(try #require(next.value("container.memory.page_faults")) * elapsed - 100) < 10)
        let write = try #require(next.first { $0.name == "container.io.write" })
        #expect(write.tags.contains("device:\(expectedDeviceName(major: 8, minor: 0))"))
        #expect(abs(write.value * elapsed - 2_097_152) < 209_716)
    }

    @Test func badOptionsAreRefusedWithAClearMessage() throws {
        let h = try ModuleHarness(product: "vigil-cgroup")
        h.options["tag_cardinality"] = "everything"
        #expect(throws: ModuleHarness.Failure.self) { try h.configure() }
        let missing = try ModuleHarness(product: "vigil-cgroup")
        missing.options["cgroup_root"] = "/nonexistent/vigil"
        do {
            try missing.configure()
            Issue.record("configure accepted a cgroup_root without cgroups")
        } catch {
            #expect("\(error)".contains("/nonexistent/vigil"))
        }
    }

    @Test func keptDescriptorsFollowRewrittenAndRemovedCgroups() throws {
        let tree = try FixtureTree("v2")
        let h = try harness(root: tree.path, containers: [.init(id: "web", pid: 4242, cgroupPath: "/default/web")])
        #expect(try h.run().value("container.memory.usage") == 5_500_928)
        try tree.write("default/web/memory.current", "7000000\n")
        #expect(try h.run().value("container.memory.usage") == 7_000_000, "a kept file is re-read, not cached")
        try tree.remove("default/web/cpu.stat")
        let fds = openFileDescriptorCount()
        // Open descriptors still read a removed file on a plain file system; the
        // next incarnation must reopen by path and find it gone.
        h.containers = [.init(id: "web", pid: 4243, cgroupPath: "/default/web", startedAt: 1_700_000_200_000_000_000)]
        #expect(try h.run().isEmpty)
        #expect(openFileDescriptorCount() < fds, "a vanished cgroup gives its descriptors back")
    }

    @Test func limitsAreCachedUntilTheRefreshOrARestart() throws {
        let tree = try FixtureTree("v2")
        let web = ModuleHarness.Container(id: "web", pid: 4242, cgroupPath: "/default/web")
        let h = try harness(root: tree.path, containers: [web])
        #expect(try h.run().value("container.memory.limit") == 268_435_456)
        try tree.write("default/web/memory.max", "536870912\n")
        try tree.write("default/web/memory.current", "6000000\n")
        let cached = try h.run()
        #expect(cached.value("container.memory.limit") == 268_435_456, "within limits_refresh_seconds (60)")
        #expect(cached.value("container.memory.usage") == 6_000_000, "usage is read every run")
        // A restart is a new incarnation: its limits are read at once.
        h.containers = [.init(id: "web", pid: 4243, cgroupPath: "/default/web", startedAt: 1_700_000_300_000_000_000)]
        #expect(try h.run().value("container.memory.limit") == 536_870_912)

        let everyRun = try ModuleHarness(product: "vigil-cgroup")
        everyRun.options["cgroup_root"] = tree.path
        everyRun.options["limits_refresh_seconds"] = "0"
        everyRun.containers = [web]
        try everyRun.configure()
        #expect(try everyRun.run().value("container.memory.limit") == 536_870_912)
        try tree.write("default/web/memory.max", "1073741824\n")
        #expect(try everyRun.run().value("container.memory.limit") == 1_073_741_824)

        let bad = try ModuleHarness(product: "vigil-cgroup")
        bad.options["cgroup_root"] = tree.path
        bad.options["limits_refresh_seconds"] = "soon"
        #expect(throws: ModuleHarness.Failure.self) { try bad.configure() }
    }

    @Test func containerWithoutCgroupPathUsesItsProcessCgroup() throws {
        let tree = try FixtureTree("v2")
        let proc = try FixtureTree("v2")   // any writable folder will do as a proc root
        try FileManager.default.createDirectory(atPath: proc.path + "/4242", withIntermediateDirectories: true)
        try proc.write("4242/cgroup", "0::/default/web\n")
        let h = try ModuleHarness(product: "vigil-cgroup")
        h.options["cgroup_root"] = tree.path
        h.options["proc_root"] = proc.path
        h.containers = [.init(id: "web", pid: 4242, cgroupPath: "")]
        h.tags["container_id://web"] = Self.webTags
        try h.configure()
        #expect(try h.run().value("container.memory.limit") == 268_435_456)
    }
}
