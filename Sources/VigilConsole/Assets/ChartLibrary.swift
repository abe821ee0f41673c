import Foundation

/// dygraphs, served from Debian's libjs-dygraphs (`/usr/share/javascript/dygraphs`)
/// as the Debian convention for web applications asks: one copy on the host,
/// security updates from the distribution, nothing vendored. Read once at
/// start; missing files leave the plots saying so instead of failing the page.
struct ChartLibrary: Sendable {
    var script: [UInt8]?
    var style: [UInt8]?

    init(directory: String) {
        script = FileManager.default.contents(atPath: directory + "/dygraph.min.js").map { Self.withoutSourceMap(Array($0)) }
        style = FileManager.default.contents(atPath: directory + "/dygraph.min.css").map { Self.withoutSourceMap(Array($0)) }
    }

    /// Drops the trailing `sourceMappingURL` comment: the console does not
    /// serve the 600 KB map, and a browser with developer tools open would
    /// log its 404 as an error.
    static func withoutSourceMap(_ bytes: [UInt8]) -> [UInt8] {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let range = text.range(of: "sourceMappingURL=", options: .backwards),
              let lineStart = text[..<range.lowerBound].lastIndex(of: "\n") else { return bytes }
        return Array(text[..<lineStart].utf8) + [10]
    }
}
