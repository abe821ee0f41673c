import Synchronization

/// One entity in the store: each source's report and their merge.
///
/// Nearly every entity has a single source. Its report is then the merge itself, kept once,
/// with no dictionary of its own: a one-entry dictionary per entity cost about 260 bytes
/// beside a second copy of the entity (some 12 MB for 30,000 images). The record is two
/// pointers (16 bytes in the store's table, not 32): the only source is named by a shared
/// `SourceName`, several sources' reports sit in a `Reports` box.
struct EntityRecord {
    private(set) var merged: Entity
    private var sources: Sources

    private enum Sources {
        /// The entity's only source; its report is `merged`.
        case one(SourceName)
        /// Two sources or more, each with its report.
        case many(Reports)
    }

    /// One instance per source name (sources are a handful: the modules that publish).
    final class SourceName: Sendable {
        let name: String
        private init(_ name: String) { self.name = name }

        private static let known = Mutex<[String: SourceName]>([:])
        static func named(_ name: String) -> SourceName {
            known.withLock { known in
                if let existing = known[name] { return existing }
                let made = SourceName(name)
                known[name] = made
                return made
            }
        }
    }

    final class Reports: Sendable {
        let byName: [String: Entity]
        init(_ byName: [String: Entity]) { self.byName = byName }
    }

    init(_ entity: Entity, from source: String) {
        merged = entity
        sources = .one(.named(source))
    }

    func report(from source: String) -> Entity? {
        switch sources {
        case let .one(only): only.name == source ? merged : nil
        case let .many(reports): reports.byName[source]
        }
    }

    /// The sources reporting the entity, sorted.
    var sourceNames: [String] {
        switch sources {
        case let .one(only): [only.name]
        case let .many(reports): reports.byName.keys.sorted()
        }
    }

    /// Adds or replaces `source`'s report and merges again.
    mutating func set(_ entity: Entity, from source: String) {
        switch sources {
        case let .one(only) where only.name == source:
            merged = entity
        case let .one(only):
            let reports = [only.name: merged, source: entity]
            sources = .many(Reports(reports))
            merged = EntityMerge.merge(reports) ?? entity
        case let .many(box):
            var reports = box.byName
            reports[source] = entity
            sources = .many(Reports(reports))
            merged = EntityMerge.merge(reports) ?? entity
        }
    }

    /// Withdraws `source`'s report: the record left by the others, or nil when it was the last.
    func removing(_ source: String) -> EntityRecord? {
        switch sources {
        case .one: return nil
        case let .many(box):
            var reports = box.byName
            reports[source] = nil
            var record = self
            if reports.count == 1, let (only, report) = reports.first {
                record.sources = .one(.named(only))
                record.merged = report
            } else {
                record.sources = .many(Reports(reports))
                record.merged = EntityMerge.merge(reports) ?? merged
            }
            return record
        }
    }
}
