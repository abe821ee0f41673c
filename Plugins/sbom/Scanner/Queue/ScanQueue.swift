/// The image scan queue's rules, apart from any clock or thread so that tests drive them:
/// - an image id is queued at most once: a new reference to an image that is queued,
///   scanning, waiting to retry or already scanned queues nothing;
/// - a failed scan waits `baseBackoff`, doubling per failure up to `maxBackoff`; a success
///   forgets the image's backoff;
/// - an image whose last reference went is forgotten: its pending retry never runs;
/// - the queue is bounded: an image that does not fit is dropped and counted.
public struct ScanQueue: Sendable {
    public enum State: Sendable, Equatable {
        case queued
        case scanning
        /// Failed `failures` times in a row; tried again at `retryAt` (seconds, the caller's clock).
        case waiting(retryAt: Double, failures: Int, error: String)
        case done
    }

    public struct Entry: Sendable, Equatable {
        public var state: State
        public var failures = 0
        public var lastError = ""
    }

    public var baseBackoff: Double
    public var maxBackoff: Double
    public var capacity: Int
    public private(set) var entries: [String: Entry] = [:]
    /// Queued ids in arrival order.
    private var order: [String] = []
    public private(set) var dropped = 0
    /// Images queued and not yet taken by a worker.
    public var queuedCount: Int { order.count }
    public private(set) var failedScans = 0
    public private(set) var succeededScans = 0
    /// Images forgotten while being scanned: their outcome is ignored.
    private var abandoned: Set<String> = []

    public init(baseBackoff: Double = 300, maxBackoff: Double = 3600, capacity: Int = 10_000) {
        self.baseBackoff = baseBackoff
        self.maxBackoff = maxBackoff
        self.capacity = capacity
    }

    /// An image was seen (first reference or a new one). True when it was queued now.
    @discardableResult
    public mutating func add(_ id: String) -> Bool {
        guard entries[id] == nil else { return false }
        guard order.count < capacity else {
            dropped += 1
            return false
        }
        entries[id] = Entry(state: .queued)
        order.append(id)
        return true
    }

    /// The image's last reference went: forget it, whatever it was waiting for.
    public mutating func remove(_ id: String) {
        guard let entry = entries.removeValue(forKey: id) else { return }
        if entry.state == .scanning { abandoned.insert(id) }
        order.removeAll { $0 == id }
    }

    /// The next image to scan at `now`: the oldest queued one, else the retry most overdue.
    public mutating func next(now: Double) -> String? {
        if !order.isEmpty {
            let id = order.removeFirst()
            entries[id]?.state = .scanning
            return id
        }
        let due = entries.compactMap { id, entry -> (String, Double)? in
            if case let .waiting(retryAt, _, _) = entry.state, retryAt <= now { return (id, retryAt) }
            return nil
        }.min { $0.1 < $1.1 }
        guard let (id, _) = due else { return nil }
        entries[id]?.state = .scanning
        return id
    }

    /// When the earliest retry is due, if any image waits.
    public var nextRetry: Double? {
        entries.values.compactMap { entry -> Double? in
            if case let .waiting(retryAt, _, _) = entry.state { return retryAt }
            return nil
        }.min()
    }

    public mutating func succeeded(_ id: String) {
        succeededScans += 1
        guard abandoned.remove(id) == nil, entries[id] != nil else { return }
        entries[id] = Entry(state: .done)
    }

    /// Schedules the retry; returns its delay in seconds (nil when the image was forgotten meanwhile).
    @discardableResult
    public mutating func failed(_ id: String, error: String, now: Double) -> Double? {
        failedScans += 1
        guard abandoned.remove(id) == nil, var entry = entries[id] else { return nil }
        entry.failures += 1
        entry.lastError = error
        let delay = backoff(failures: entry.failures)
        entry.state = .waiting(retryAt: now + delay, failures: entry.failures, error: error)
        entries[id] = entry
        return delay
    }

    /// base × 2^(failures−1), at most maxBackoff.
    public func backoff(failures: Int) -> Double {
        var delay = baseBackoff
        for _ in 1..<max(1, failures) where delay < maxBackoff { delay *= 2 }
        return min(delay, maxBackoff)
    }

    public var counts: (queued: Int, scanning: Int, waiting: Int, done: Int) {
        var counts = (queued: 0, scanning: 0, waiting: 0, done: 0)
        for entry in entries.values {
            switch entry.state {
            case .queued: counts.queued += 1
            case .scanning: counts.scanning += 1
            case .waiting: counts.waiting += 1
            case .done: counts.done += 1
            }
        }
        return counts
    }
}
