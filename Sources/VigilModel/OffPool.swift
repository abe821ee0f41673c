import Foundation
import Synchronization

/// Runs blocking work on a thread of its own and awaits it without holding
/// a thread of Swift's cooperative pool. Module calls can block (a module's
/// `stop` waits for its threads or tasks), and modules written in Swift run
/// their tasks on that same small pool — blocking it from async code could
/// starve them and never return.
public enum OffPool {
    public static func run<T: Sendable>(_ name: String = "vigil-blocking", _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = name
            thread.start()
        }
    }
}

extension OffPool {
    /// Runs `body` on a thread of its own and waits at most `seconds` for
    /// it: nil when it has not returned by then. The thread is then left to
    /// finish, or not, on its own — module code cannot be interrupted, and
    /// a stop must not wait for it forever.
    public static func call<T: Sendable>(_ name: String, within seconds: Double,
                                         _ body: @escaping @Sendable () -> T) -> T? {
        let box = ResultBox<T>()
        let thread = Thread {
            let value = body()
            box.value.withLock { $0 = value }
            box.done.signal()
        }
        thread.name = name
        thread.start()
        guard box.done.wait(timeout: .now() + max(0, seconds)) == .success else { return nil }
        return box.value.withLock { $0 }
    }

    private final class ResultBox<T: Sendable>: Sendable {
        let value = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
    }
}
