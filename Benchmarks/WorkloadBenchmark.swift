import Foundation

/// Filled in by the issue that owns it.
enum WorkloadBenchmark {
    static func run(_ arguments: [String]) async throws {
        print("Workload benchmark: not written yet")
    }
}
