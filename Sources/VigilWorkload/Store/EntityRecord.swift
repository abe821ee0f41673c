/// One entity in the store: each source's report and their merge.
///
/// Nearly every entity has a single source. Its report is then the merge itself, kept once,
/// with no dictionary of its own: a one-entry dictionary per entity cost about 260 bytes
/// beside a second copy of the entity (some 12 MB for 30,000 images).
struct EntityRecord {
    private(set) var merged: Entity
    private var sources: Sources

    private enum Sources {
        /// The entity's only source; its report is `merged`.
        case one(String)
        /// Two sources or more, each with its report.
        case many([String: Entity])
    }

    init(_ entity: Entity, from source: String) {
        merged = entity
        sources = .one(source)
    }

    func report(from source: String) -> Entity? {
        switch sources {
        case let .one(only): only == source ? merged : nil
        case let .many(reports): reports[source]
        }
    }

    /// The sources reporting the entity, sorted.
    var sourceNames: [String] {
        switch sources {
        case let .one(only): [only]
        case let .many(reports): reports.keys.sorted()
        }
    }

    /// Adds or replaces `source`'s report and merges again.
    mutating func set(_ entity: Entity, from source: String) {
        switch sources {
        case let .one(only) where only == source:
            merged = entity
        case let .one(only):
            let reports = [only: merged, source: entity]
            sources = .many(reports)
            merged = EntityMerge.merge(reports) ?? entity
        case var .many(reports):
            reports[source] = entity
            sources = .many(reports)
            merged = EntityMerge.merge(reports) ?? entity
        }
    }

    /// Withdraws `source`'s report: the record left by the others, or nil when it was the last.
    func removing(_ source: String) -> EntityRecord? {
        switch sources {
        case .one: return nil
        case var .many(reports):
            reports[source] = nil
            var record = self
            if reports.count == 1, let (only, report) = reports.first {
                record.sources = .one(only)
                record.merged = report
            } else {
                record.sources = .many(reports)
                record.merged = EntityMerge.merge(reports) ?? merged
            }
            return record
        }
    }
}
