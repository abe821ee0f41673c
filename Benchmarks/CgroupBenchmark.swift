import Foundation

/// Filled in by the issue that owns it.
enum CgroupBenchmark {
    static func run(_ arguments: [String]) async throws {
        print("Cgroup benchmark: not written yet")
    }
}
