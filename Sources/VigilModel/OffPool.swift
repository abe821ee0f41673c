import Foundation

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
