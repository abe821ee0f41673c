import Foundation
import OCIImage

/// What an image's manifest and config blobs say, resolved once per manifest digest.
///
/// A class: the collector's cache (by manifest digest) and its catalog (by config digest)
/// hold the same facts for every image, and with a struct each kept its own 120 bytes in
/// tables sized for twice the images (some 18 MB for 30,000 images); now each keeps a
/// reference. Immutable, so sharing it is safe.
public final class ImageContent: Sendable, Equatable {
    public let configDigest: String
    public let layers: [String]
    public let mediaType: String
    public let os: String
    public let architecture: String
    public let variant: String
    public let sizeBytes: Int64
    public let createdAt: Int64

    public init(configDigest: String, layers: [String], mediaType: String, os: String, architecture: String,
                variant: String, sizeBytes: Int64, createdAt: Int64) {
        self.configDigest = configDigest
        self.layers = layers
        self.mediaType = mediaType
        self.os = os
        self.architecture = architecture
        self.variant = variant
        self.sizeBytes = sizeBytes
        self.createdAt = createdAt
    }

    public static func == (a: ImageContent, b: ImageContent) -> Bool {
        a === b || (a.configDigest == b.configDigest && a.layers == b.layers && a.mediaType == b.mediaType
            && a.os == b.os && a.architecture == b.architecture && a.variant == b.variant
            && a.sizeBytes == b.sizeBytes && a.createdAt == b.createdAt)
    }

    private struct Config: Decodable {
        var os: String?
        var architecture: String?
        var variant: String?
        var created: String?
    }

    /// Resolves a target descriptor (index or manifest) to this machine's manifest and its
    /// config. `read` fetches a blob by digest. The size counts every blob the image holds.
    public static func resolve(mediaType: String, digest: String, size: Int64,
                               read: (String) async throws -> Data) async throws -> ImageContent {
        let resolved = try await ImageManifest.resolve(target: digest, read: read)
        let config = try JSONDecoder().decode(Config.self, from: resolved.config)
        // An index counts itself and the manifest's size as it states it; a manifest, the target's.
        let documents = resolved.manifestDigest == digest ? size : size + (resolved.manifestSize ?? 0)
        let total = documents + Int64(resolved.config.count) + resolved.layers.reduce(0) { $0 + ($1.size ?? 0) }
        return ImageContent(
            configDigest: resolved.configDigest, layers: resolved.layers.map(\.digest), mediaType: mediaType,
            os: config.os ?? "", architecture: config.architecture ?? "", variant: config.variant ?? "",
            sizeBytes: total, createdAt: config.created.flatMap(parseTimestamp) ?? 0)
    }

    /// RFC 3339 (`2024-01-01T00:00:00.5+02:00`) → unix nanoseconds. By hand: a date formatter
    /// per image cost more than reading the image's two blobs.
    public static func parseTimestamp(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[range] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84 || bytes[10] == 116 || bytes[10] == 32,
              bytes[13] == 58, bytes[16] == 58,
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var index = 19
        var nanos: Int64 = 0
        if bytes[index] == 46 {  // fraction: up to nanoseconds, further digits ignored
            index += 1
            var scale: Int64 = 100_000_000
            let start = index
            while index < bytes.count, bytes[index] >= 48 && bytes[index] <= 57 {
                nanos += Int64(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset: Int64 = 0
        switch bytes[index] {
        case 90, 122:  // Z, z
            guard index + 1 == bytes.count else { return nil }
        case 43, 45:  // +hh:mm, -hh:mm
            guard index + 6 == bytes.count, bytes[index + 3] == 58,
                  let hours = number(index + 1..<index + 3), let minutes = number(index + 4..<index + 6) else { return nil }
            offset = (hours * 60 + minutes) * 60 * (bytes[index] == 43 ? 1 : -1)
        default:
            return nil
        }
        // Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return seconds * 1_000_000_000 + nanos
    }
}
