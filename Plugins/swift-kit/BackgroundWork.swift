#if canImport(Glibc)
import Glibc
#endif

/// The background task of a collector instance: started by start(), and
/// stopped by stop(), which cancels it and waits for it without needing an
/// async caller (the host calls stop and destroy from plain threads).
public final class BackgroundWork: @unchecked Sendable {
    // Touched only from start/stop/destroy, which the host serialises per instance.
    private var task: Task<Void, Never>?

    public init() {}

    public var isRunning: Bool { task != nil }

    /// Starts `operation` unless it already runs.
    public func start(_ operation: @escaping @Sendable () async -> Void) {
        guard task == nil else { return }
        task = Task.detached { await operation() }
    }

    /// Cancels the operation and returns once it has finished.
    public func stop() {
        guard let task else { return }
        self.task = nil
        task.cancel()
        let finished = Finished()
        Task.detached {
            await task.value
            finished.signal()
        }
        finished.wait()
    }

    /// A one-shot signal between a task and a plain thread.
    private final class Finished: @unchecked Sendable {
        private var mutex = pthread_mutex_t()
        private var condition = pthread_cond_t()
        private var done = false

        init() {
            pthread_mutex_init(&mutex, nil)
            pthread_cond_init(&condition, nil)
        }

        deinit {
            pthread_cond_destroy(&condition)
            pthread_mutex_destroy(&mutex)
        }

        func signal() {
            pthread_mutex_lock(&mutex)
            done = true
            pthread_cond_signal(&condition)
            pthread_mutex_unlock(&mutex)
        }

        func wait() {
            pthread_mutex_lock(&mutex)
            while !done { pthread_cond_wait(&condition, &mutex) }
            pthread_mutex_unlock(&mutex)
        }
    }
}
