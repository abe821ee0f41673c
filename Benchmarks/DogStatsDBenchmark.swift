import Foundation

/// Filled in by the issue that owns it.
enum DogStatsDBenchmark {
    static func run(_ arguments: [String]) async throws {
        print("DogStatsD benchmark: not written yet")
    }
}
