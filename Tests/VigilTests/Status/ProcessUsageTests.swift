import Foundation
import Testing
import VigilModel
@testable import VigilAgent

/// The `process` section of `vigil status`: this test process's own figures move as it
/// allocates, burns CPU and opens files.
@Suite struct ProcessUsageTests {
    func int(_ value: JSONValue?) -> Int64 { if case let .int(n)? = value { return n }; return -1 }
    func double(_ value: JSONValue?) -> Double { if case let .double(d)? = value { return d }; return -1 }

    @Test func residentMemoryCPUAndDescriptorsAreThisProcesss() throws {
        let before = ProcessUsage.snapshot(uptimeSeconds: 1)
        // 64 MiB touched page by page: resident now, and the peak at least as high.
        let size = 64 << 20
        let block = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
        defer { block.deallocate() }
        for offset in stride(from: 0, to: size, by: 4096) { block.storeBytes(of: UInt8(1), toByteOffset: offset, as: UInt8.self) }
        // 0.3 s of this thread's CPU, however long a loaded machine takes to give it.
        func threadCPU() -> Double {
            var now = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
            return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
        }
        let start = threadCPU()
        var spin: UInt64 = 0
        while threadCPU() - start < 0.3 { spin &+= 1 }
        #expect(spin > 0)
        let file = open("/proc/self/status", O_RDONLY)
        defer { close(file) }

        let after = ProcessUsage.snapshot(uptimeSeconds: 1)
        #expect(int(after["pid"]) == Int64(getpid()))
        // Other suites run beside this one and free memory as they go: the block alone is the
        // floor that holds whatever they do.
        #expect(int(after["rss_bytes"]) >= Int64(size), "\(before) → \(after)")
        #expect(int(after["peak_rss_bytes"]) >= int(after["rss_bytes"]))
        let cpu = double(after["cpu_user_seconds"]) + double(after["cpu_system_seconds"])
        let cpuBefore = double(before["cpu_user_seconds"]) + double(before["cpu_system_seconds"])
        #expect(cpu - cpuBefore >= 0.28, "\(before) → \(after)")
        // Standard input, output, error and the file just opened, at least.
        #expect(int(after["open_files"]) >= 4)
        #expect(int(after["threads"]) >= 1)
    }
}
