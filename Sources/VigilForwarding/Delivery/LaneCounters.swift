import Foundation
import Synchronization
import VigilModel

/// What happened to one lane's payloads, for `vigil status`.
final class LaneCounters: Sendable {
    struct Values: Sendable, Equatable {
        var sentPayloads = 0
        var sentItems = 0
        var sentBytes = 0
        var retried = 0
        /// Refused for good by the destination.
        var droppedRejected = 0
        /// Too large even alone, or a 413 that could not be split further.
        var droppedOversized = 0
        /// Evicted from a full outbox, oldest first.
        var droppedOutboxFull = 0
        var splits = 0
        var encodingFallbacks = 0
        var lastError: String?
        var lastStatus: String?

        var dropped: Int { droppedRejected + droppedOversized + droppedOutboxFull }
    }

    private let values = Mutex(Values())

    func update(_ change: (inout Values) -> Void) { values.withLock { change(&$0) } }
    var snapshot: Values { values.withLock { $0 } }
}
