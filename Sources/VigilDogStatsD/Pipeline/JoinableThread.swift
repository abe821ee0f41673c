import Foundation

/// A dedicated OS thread that can be waited for: readers block in system
/// calls, which must not tie up Swift's cooperative pool.
final class JoinableThread: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)

    init(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [done] in
            body()
            done.signal()
        }
        thread.name = name
        thread.start()
    }

    func join() {
        done.wait()
        done.signal()
    }
}
