/// Datadog names and tags in the forms Prometheus allows, one rule for
/// remote write and `/metrics` alike (docs/forwarding.md has the table).
enum PrometheusNaming {
    /// Suffixes Prometheus reserves for the members of summaries and
    /// histograms (and `_total` for counters): a gauge may not end in them.
    static let reservedSuffixes = ["_count", "_sum", "_bucket", "_total"]

    /// `[a-zA-Z_][a-zA-Z0-9_]*`: every other character (`.`, `-`, `:`,
    /// non-ASCII) becomes `_`; a leading digit gets a `_` in front.
    /// Colons are legal but reserved for recording rules, so they go too.
    static func metricName(_ name: String) -> String {
        if isValid(name) { return name }
        var out = ""
        out.reserveCapacity(name.utf8.count + 1)
        for scalar in name.unicodeScalars {
            let ok = isLetter(scalar) || scalar == "_" || isDigit(scalar)
            out.unicodeScalars.append(ok ? scalar : "_")
        }
        if let first = out.unicodeScalars.first, isDigit(first) { out = "_" + out }
        return out.isEmpty ? "_" : out
    }

    /// The name of a gauge: a name ending in a reserved suffix gets
    /// `_value` appended (`request.latency.count` → `request_latency_count_value`),
    /// so that no tool mistakes it for a summary's or counter's member.
    static func gaugeName(_ name: String) -> String {
        let base = metricName(name)
        return reservedSuffixes.contains(where: base.hasSuffix) ? base + "_value" : base
    }

    /// The name of a counter: `_total` appended unless already there.
    static func counterName(_ name: String) -> String {
        let base = metricName(name)
        return base.hasSuffix("_total") ? base : base + "_total"
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, and never `__`-prefixed (reserved for
    /// Prometheus itself): leading underscores beyond one are removed.
    static func labelName(_ name: String) -> String {
        var out = metricName(name)
        while out.utf8.starts(with: "__".utf8) { out.removeFirst() }
        return out
    }

    /// Labels from tags, sorted by name: `key:value` → `key="value"`, a
    /// bare tag → `tag="true"`, repeated keys join their values with `,`
    /// in tag order; the host is the `host` label unless a `host:` tag set
    /// it. Empty values are dropped (Prometheus treats them as absent).
    static func labels(tags: [String], host: String) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        func add(_ name: String, _ value: String) {
            guard !value.isEmpty else { return }
            if let index = pairs.firstIndex(where: { $0.name == name }) {
                pairs[index].value += "," + value
            } else {
                pairs.append((name, value))
            }
        }
        for tag in tags {
            let utf8 = tag.utf8
            if let colon = utf8.firstIndex(of: UInt8(ascii: ":")) {
                add(labelName(String(Substring(utf8[..<colon]))), String(Substring(utf8[utf8.index(after: colon)...])))
            } else {
                add(labelName(tag), "true")
            }
        }
        if !pairs.contains(where: { $0.name == "host" }) { add("host", host) }
        return pairs.sorted { $0.name < $1.name }
    }

    /// Already `[a-zA-Z_][a-zA-Z0-9_]*`: the common case, checked on bytes.
    static func isValid(_ name: String) -> Bool {
        var count = 0
        for byte in name.utf8 {
            let letter = (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
            let digit = byte >= 0x30 && byte <= 0x39
            guard letter || byte == 0x5F || (digit && count > 0) else { return false }
            count += 1
        }
        return count > 0
    }

    private static func isLetter(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("A"..."Z").contains(s) }
    private static func isDigit(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) }
}
