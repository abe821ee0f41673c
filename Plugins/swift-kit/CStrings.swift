#if canImport(Glibc)
import Glibc
#endif

/// Hands Swift strings to C as a borrowed `const char *const *` array for
/// the duration of `body`, as the ABI's ownership rules require.
public func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?, Int) -> R) -> R {
    let arena = CArena()
    return body(arena.strings(strings), strings.count)
}

/// Copies `text` into a C buffer, NUL-terminated and truncated to fit;
/// returns the full length, like snprintf.
public func copyOut(_ text: String, _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int) -> Int {
    var text = text
    return text.withUTF8 { bytes in
        if let buffer, size > 0 {
            let n = min(bytes.count, size - 1)
            if n > 0 { memcpy(buffer, bytes.baseAddress!, n) }
            buffer[n] = 0
        }
        return bytes.count
    }
}

/// Reads an array of `count` borrowed C strings, skipping NULL entries.
public func readCStrings(_ array: UnsafePointer<UnsafePointer<CChar>?>?, _ count: UInt32) -> [String] {
    guard let array else { return [] }
    var out: [String] = []
    out.reserveCapacity(Int(count))
    for i in 0..<Int(count) {
        if let s = array[i] { out.append(String(cString: s)) }
    }
    return out
}

/// Reads 2*count borrowed C strings as key/value pairs.
public func readCPairs(_ array: UnsafePointer<UnsafePointer<CChar>?>?, _ count: UInt32) -> [String: String] {
    guard let array else { return [:] }
    var out: [String: String] = [:]
    for i in 0..<Int(count) {
        guard let k = array[2 * i], let v = array[2 * i + 1] else { continue }
        out[String(cString: k)] = String(cString: v)
    }
    return out
}

public func optionalString(_ p: UnsafePointer<CChar>?) -> String? { p.map { String(cString: $0) } }
