/// What happens to a metric's name between the packet and the context, with
/// the reference's keys and order: `statsd_metric_namespace` is put in front
/// unless the name starts with a `statsd_metric_namespace_blacklist` prefix;
/// `metric_filterlist` then drops names (after the namespace); and with
/// `histogram_copy_to_distribution`, histograms and timers are also sent as
/// distributions named `histogram_copy_to_distribution_prefix` + the name.
struct MetricNameRules: Sendable {
    /// With its trailing `.` (added if the setting lacks it); "" for none.
    var namespace = ""
    var namespaceExempt: [String] = []
    var filter = MetricNameMatcher([], matchPrefix: false)
    /// nil when histograms are not copied.
    var distributionCopyPrefix: String?

    /// True when names pass through untouched: the hot path skips all of this.
    var isIdentity: Bool { namespace.isEmpty && filter.isEmpty && distributionCopyPrefix == nil }
}

/// The rules applied on one worker: the prefixes a name may get, and a
/// scratch buffer where the prefixed name is written to be hashed and
/// tested without building a String. One per `MessageProcessor`.
final class MetricNamer {
    /// Which prefixes a sample's name carries, as bits.
    struct Prefix: OptionSet, BitwiseCopyable {
        let rawValue: UInt8
        static let namespace = Prefix(rawValue: 1)
        static let distributionCopy = Prefix(rawValue: 2)
    }

    let rules: MetricNameRules
    /// Indexed by `Prefix.rawValue`: "", namespace, copy prefix, copy prefix + namespace.
    let prefixStrings: [String]
    private let prefixBytes: [[UInt8]]
    private let exempt: [[UInt8]]
    private var scratch: UnsafeMutableRawBufferPointer

    init(rules: MetricNameRules) {
        self.rules = rules
        let copy = rules.distributionCopyPrefix ?? ""
        prefixStrings = ["", rules.namespace, copy, copy + rules.namespace]
        prefixBytes = prefixStrings.map { Array($0.utf8) }
        exempt = rules.namespaceExempt.map { Array($0.utf8) }
        scratch = .allocate(byteCount: 256, alignment: 8)
    }

    deinit { scratch.deallocate() }

    /// Whether the namespace applies to `name`.
    func namespaceApplies(to name: UnsafeRawBufferPointer) -> Bool {
        guard !rules.namespace.isEmpty else { return false }
        for prefix in exempt where prefix.count <= name.count {
            if prefix.withUnsafeBytes({ $0.elementsEqual(UnsafeRawBufferPointer(rebasing: name[0..<prefix.count])) }) {
                return false
            }
        }
        return true
    }

    /// `name` with `prefix` in front, in the scratch buffer: valid until the next call.
    func name(_ name: UnsafeRawBufferPointer, prefix: Prefix) -> UnsafeRawBufferPointer {
        let head = prefixBytes[Int(prefix.rawValue)]
        if head.isEmpty { return name }
        let total = head.count + name.count
        if total > scratch.count {
            scratch.deallocate()
            scratch = .allocate(byteCount: Swift.max(total, 2 * scratch.count), alignment: 8)
        }
        head.withUnsafeBytes { scratch.copyMemory(from: $0) }
        if !name.isEmpty {
            UnsafeMutableRawBufferPointer(rebasing: scratch[head.count..<total]).copyMemory(from: name)
        }
        return UnsafeRawBufferPointer(rebasing: scratch[0..<total])
    }
}
