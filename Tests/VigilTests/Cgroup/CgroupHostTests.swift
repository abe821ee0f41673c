import Foundation
import Testing

/// The cgroup module on this machine's real hierarchies.
@Suite(.serialized)
struct CgroupHostTests {
    @Test(.enabled(if: ScratchCgroup.v1Available))
    func v1LimitsQuotaAndThrottling() throws {
        let cgroup = try ScratchCgroup(v1: "vigil-unit-\(getpid())-quota")
        defer { cgroup.cleanUp() }
        try cgroup.write("memory", "memory.limit_in_bytes", "67108864")
        try cgroup.write("cpu", "cpu.cfs_period_us", "100000")
        try cgroup.write("cpu", "cpu.cfs_quota_us", "10000")
        let pid = try cgroup.spawn("while :; do :; done")
        let h = try ModuleHarness(product: "vigil-cgroup")
        h.containers = [.init(id: "busy", pid: Int64(pid), cgroupPath: "/\(cgroup.name)")]
        try h.configure()
        let first = try h.run()
        #expect(first.value("container.memory.limit") == 67_108_864)
        #expect(first.value("container.cpu.limit") == 100_000_000)
        #expect(first.value("container.pid.thread_count") == 1)
        // The tagger does not know this container: the id still attributes it.
        #expect(first.allSatisfy { $0.tags == ["container_id:busy"] })
        Thread.sleep(forTimeInterval: 1.0)
        let second = try h.run()
        let usage = try #require(second.value("container.cpu.usage"))
        // The quota caps usage whatever the load; how much of it the loop gets
        // depends on the parallel suites sharing 2 cores, so the floor is low.
        #expect(usage > 0.01e9 && usage < 0.15e9, "10% quota, measured \(usage) ns/s")
        #expect(try #require(second.value("container.cpu.throttled.periods")) > 0)
        #expect(try #require(second.value("container.cpu.throttled")) > 0)
    }

    @Test(.enabled(if: ScratchCgroup.v1Available))
    func steadyStateAllocatesNothingAndLeaksNoDescriptor() throws {
        var cgroups: [ScratchCgroup] = []
        defer { cgroups.forEach { $0.cleanUp() } }
        var containers: [(id: String, pid: Int, path: String)] = []
        for i in 0..<50 {
            let cgroup = try ScratchCgroup(v1: "vigil-unit-\(getpid())-steady\(i)")
            cgroups.append(cgroup)
            containers.append((id: "c\(i)", pid: Int(getpid()), path: "/\(cgroup.name)"))
        }
        // One that is gone by the time it is read.
        containers.append((id: "gone", pid: 1, path: "/vigil-unit-never-created"))
        // Kept descriptors (the default) and open-read-close for every file.
        for budget in ["1000000", "0"] {
            let result = try AllocationProbe.run(product: "vigil-cgroup", runs: 100, containers: containers,
                                                 options: ["max_open_files": budget])
            #expect(result.allocations == 0)
            #expect(result.fdsAfter == result.fdsBefore)
            #expect(result.fdsAfterDestroy == result.fdsAtStart, "destroy closes every kept descriptor")
            #expect(result.submitted >= 100 * 50 * 10)
            if budget == "0" { #expect(result.fdsBefore == result.fdsAtStart) }
            else { #expect(result.fdsBefore >= result.fdsAtStart + 50 * 10) }
        }
    }

    @Test func networkSteadyStateAllocatesNothing() throws {
        // Our own PID stands in for containers; network namespaces shared with the
        // host are skipped, so the host's interfaces are what gets read and rated.
        let containers = (0..<20).map { (id: "n\($0)", pid: Int(getpid()), path: "/") }
        let result = try AllocationProbe.run(product: "vigil-network", runs: 100, containers: containers)
        #expect(result.allocations == 0)
        #expect(result.fdsAfter == result.fdsBefore)
    }

    @Test(.enabled(if: ScratchCgroup.unifiedAvailable))
    func v2OnTheUnifiedHierarchy() throws {
        let cgroup = try ScratchCgroup(unified: "vigil-unit-\(getpid())-v2")
        defer { cgroup.cleanUp() }
        let pid = try cgroup.spawn("while :; do :; done")
        let h = try ModuleHarness(product: "vigil-cgroup")
        h.options["cgroup_root"] = ScratchCgroup.unifiedRoot
        h.containers = [.init(id: "v2", pid: Int64(pid), cgroupPath: "/\(cgroup.name)")]
        try h.configure()
        try h.run()
        Thread.sleep(forTimeInterval: 0.5)
        let samples = try h.run()
        // An unthrottled busy loop uses most of one CPU.
        #expect(try #require(samples.value("container.cpu.usage")) > 0.3e9)
        let controllers = (try? String(contentsOfFile: ScratchCgroup.unifiedRoot + "/cgroup.subtree_control", encoding: .utf8)) ?? ""
        if !controllers.contains("memory") {
            #expect(samples.value("container.memory.usage") == nil, "no memory controller, no memory metrics")
        }
    }
}
