#if canImport(Glibc)
import Glibc
#endif
import VigilModel

/// Values as a person reads them: times as local ISO-8601 with an age,
/// durations and sizes with units, numbers without exponents. Which form a
/// status field takes follows its key's naming convention (`*_at`,
/// `last_run`: a time; `*_ms`, `*_seconds`: a duration; `bytes`, `*_bytes`:
/// a size), so every section of every document is read the same way.
public struct HumanFormat: Sendable {
    /// Unix seconds that ages are measured against.
    public var now: Double

    public init(now: Double) { self.now = now }

    /// One field of a status document, by its key.
    public func field(_ key: String, _ value: JSONValue) -> String? {
        guard let number = value.number else { return nil }
        if key == "last_run" || key.hasSuffix("_at") {
            // Entities carry nanoseconds, status documents seconds.
            return number == 0 ? "-" : time(number > 1e14 ? number / 1e9 : number)
        }
        if key.hasSuffix("_ms") { return duration(number / 1000) }
        if key.hasSuffix("_seconds") { return duration(number) }
        if key == "bytes" || key.hasSuffix("_bytes") { return size(number) }
        if case .double = value { return self.number(number) }
        return nil
    }

    /// "2026-12-02T09:41:07+0000 (12 s ago)", in the local time zone.
    public func time(_ seconds: Double) -> String {
        var clock = time_t(seconds.rounded(.down))
        var parts = tm()
        localtime_r(&clock, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        let text = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let age = now - seconds
        if abs(age) < 0.5 { return "\(text) (now)" }
        return age > 0 ? "\(text) (\(duration(age, coarse: true)) ago)" : "\(text) (in \(duration(-age, coarse: true)))"
    }

    /// "850 µs", "12.3 ms", "4.1 s", "3 min 4 s", "2 h 5 min", "3 d 4 h". Coarse: whole seconds at most.
    public func duration(_ seconds: Double, coarse: Bool = false) -> String {
        if seconds < 1 && !coarse {
            if seconds < 0.001 { return "\(trimmed(seconds * 1e6, digits: 0)) µs" }
            return "\(trimmed(seconds * 1000, digits: seconds < 0.01 ? 2 : 1)) ms"
        }
        if seconds < 60 { return coarse ? "\(Int(seconds.rounded())) s" : "\(trimmed(seconds, digits: 1)) s" }
        let whole = Int(seconds.rounded())
        let (days, hours, minutes, rest) = (whole / 86_400, whole / 3600 % 24, whole / 60 % 60, whole % 60)
        if days > 0 { return hours > 0 ? "\(days) d \(hours) h" : "\(days) d" }
        if hours > 0 { return minutes > 0 ? "\(hours) h \(minutes) min" : "\(hours) h" }
        return rest > 0 ? "\(minutes) min \(rest) s" : "\(minutes) min"
    }

    /// "512 B", "1.5 KiB", "12.0 MiB", "3.2 GiB".
    public func size(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = bytes
        var unit = 0
        while abs(value) >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) B" : "\(trimmed(value, digits: 1)) \(units[unit])"
    }

    /// Plain notation: 98771800 rather than 9.87718e+07, at most 6 decimals, no trailing zeros.
    public func number(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value == value.rounded(), abs(value) < 1e18 { return String(Int64(value)) }
        let digits = abs(value) >= 1000 ? 2 : abs(value) >= 1 ? 4 : 6
        return trimmed(value, digits: digits)
    }

    /// Fixed-point with at most `digits` decimals, trailing zeros dropped.
    func trimmed(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (value * scale).rounded()
        guard abs(scaled) < 9e18 else { return "\(value)" }
        let integer = Int64(scaled)
        let sign = integer < 0 ? "-" : ""
        let magnitude = integer.magnitude
        let whole = magnitude / UInt64(scale)
        var fraction = String(magnitude % UInt64(scale))
        if digits == 0 { return "\(sign)\(whole)" }
        fraction = String(repeating: "0", count: digits - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }
}

/// Rows under a header, each column as wide as its widest cell.
public struct TextTable: Sendable {
    public var header: [String]
    public var rows: [[String]] = []

    public init(_ header: [String]) { self.header = header }

    public mutating func add(_ row: [String]) { rows.append(row) }

    /// Cells are escaped for the terminal (`TerminalText.cell`) before they are measured.
    public func render() -> String {
        let all = ([header] + rows).map { $0.map(TerminalText.cell) }
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            var line = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[column] - cell.count))
            }.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n") + "\n"
    }
}

extension JSONValue {
    var number: Double? {
        switch self {
        case let .int(v): Double(v)
        case let .double(v): v
        default: nil
        }
    }
}
