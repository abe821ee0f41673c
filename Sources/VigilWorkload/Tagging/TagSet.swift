import VigilModel

/// An entity's tags split by the cardinality that introduces them.
struct TagSet: Sendable, Equatable {
    var low: [String] = []
    var orchestrator: [String] = []
    var high: [String] = []

    /// Tags at `cardinality` include those of every lower cardinality.
    func tags(at cardinality: TagCardinality) -> [String] {
        switch cardinality {
        case .low: low
        case .orchestrator: low + orchestrator
        case .high: low + orchestrator + high
        }
    }
}
