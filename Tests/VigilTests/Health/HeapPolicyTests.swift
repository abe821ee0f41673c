import CVigilSystem
import Foundation
import Glibc
import Testing

/// The heap policy CVigilSystem sets before main (vigil_system.h), seen from a running process.
@Suite struct HeapPolicyTests {
    /// glibc's own description of the heap (malloc_info's XML), which Swift's Glibc module does not import.
    static func heapDescription() throws -> String {
        typealias MallocInfo = @convention(c) (Int32, UnsafeMutablePointer<FILE>?) -> Int32
        let symbol = try #require(dlsym(dlopen(nil, RTLD_NOW), "malloc_info"))
        var buffer: UnsafeMutablePointer<CChar>?
        var size = 0
        let stream = try #require(open_memstream(&buffer, &size))
        let status = unsafeBitCast(symbol, to: MallocInfo.self)(0, stream)
        fclose(stream)
        defer { free(buffer) }
        try #require(status == 0)
        return String(cString: try #require(buffer))
    }

    @Test func threadsAllocatingAtOnceShareOneArena() throws {
        // Threads that each hold a few blocks while the heap is described: with glibc's
        // default, each would have made an arena of its own.
        let count = 6
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        for _ in 0..<count {
            Thread.detachNewThread {
                let blocks = (0..<32).map { _ in malloc(4096) }
                holding.signal()
                release.wait()
                blocks.forEach { free($0) }
            }
        }
        for _ in 0..<count { holding.wait() }
        let description = try Self.heapDescription()
        for _ in 0..<count { release.signal() }
        let arenas = description.components(separatedBy: "<heap nr=").count - 1
        #expect(arenas == 1, "malloc_info lists \(arenas) arenas")
    }
}
