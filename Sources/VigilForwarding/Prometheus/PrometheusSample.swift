/// One Prometheus sample, named and labelled, ready for either wire form.
struct PrometheusSample: Sendable, Equatable {
    enum FamilyType: String, Sendable { case gauge, counter, summary }

    /// The family it belongs to (`# TYPE` line): for a summary, its base name.
    var family: String
    var type: FamilyType
    /// The Datadog-side name it came from, for `# HELP`.
    var source: String
    /// The sample's own name: the family, or `<family>_sum` / `_count`.
    var name: String
    /// Sorted by name; a summary's quantiles carry `quantile`.
    var labels: [(name: String, value: String)]
    var value: Double
    var timestampMilliseconds: Int64

    static func == (a: PrometheusSample, b: PrometheusSample) -> Bool {
        a.family == b.family && a.type == b.type && a.name == b.name && a.value == b.value
            && a.timestampMilliseconds == b.timestampMilliseconds
            && a.labels.elementsEqual(b.labels) { $0.name == $1.name && $0.value == $1.value }
    }
}
