import Foundation

/// Filled in by the issue that owns it.
enum ForwarderBenchmark {
    static func run(_ arguments: [String]) async throws {
        print("Forwarder benchmark: not written yet")
    }
}
