import Foundation

/// Filled in by the issue that owns it.
enum ABIBenchmark {
    static func run(_ arguments: [String]) async throws {
        print("ABI benchmark: not written yet")
    }
}
