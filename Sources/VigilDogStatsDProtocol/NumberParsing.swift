import Foundation

/// Decimal numbers straight from packet bytes. The common forms (integers
/// and short decimals) take an exact fast path; anything longer or with an
/// exponent goes through `strtod` on a stack copy. Nothing is allocated.
public enum NumberParsing {
    /// 10^n for n in 0...22, each exact in a Double. A switch of literals
    /// rather than a stored table: a global would cost a `swift_once` check
    /// per number parsed from another module.
    @inlinable @inline(__always)
    static func exactPowerOfTen(_ n: Int) -> Double {
        switch n {
        case 0: 1
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    @inlinable
    public static func double(_ bytes: UnsafeRawBufferPointer) -> Double? {
        let n = bytes.count
        guard n > 0, n <= 64 else { return nil }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            i = 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var seenDot = false
        while i < n {
            let b = bytes[i]
            if b >= 48 && b <= 57 {
                mantissa = mantissa &* 10 &+ UInt64(b - 48)
                digits += 1
                if seenDot { fractionDigits += 1 }
            } else if b == UInt8(ascii: "."), !seenDot {
                seenDot = true
            } else {
                break
            }
            i += 1
        }
        if i == n {
            guard digits > 0 else { return nil }
            // Exact when the mantissa fits in a double and the divisor is an exact power of ten.
            if digits <= 15 && fractionDigits <= 22 {
                let v = Double(mantissa) / exactPowerOfTen(fractionDigits)
                return negative ? -v : v
            }
        }
        return slowDouble(bytes)
    }

    @usableFromInline
    static func slowDouble(_ bytes: UnsafeRawBufferPointer) -> Double? {
        // strtod would accept hex, "inf", "nan" and leading spaces: the protocol does not.
        for b in bytes {
            switch b {
            case 48...57, UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "e"), UInt8(ascii: "E"): continue
            default: return nil
            }
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer -> Double? in
            for (j, b) in bytes.enumerated() { buffer[j] = CChar(bitPattern: b) }
            buffer[bytes.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(buffer.baseAddress!, &end)
            guard let end, end == buffer.baseAddress! + bytes.count, v.isFinite else { return nil }
            return v
        }
    }

    /// A non-negative or negative decimal integer, or nil (also when it does not fit in Int64).
    @inlinable
    public static func int64(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 19 else { return nil }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        guard i < bytes.count else { return nil }
        var v: Int64 = 0
        while i < bytes.count {
            let b = bytes[i]
            guard b >= 48 && b <= 57 else { return nil }
            // 19 digits can exceed Int64: refuse rather than trap.
            let (times10, overflowed) = v.multipliedReportingOverflow(by: 10)
            let (sum, overflowedAgain) = times10.addingReportingOverflow(Int64(b - 48))
            if overflowed || overflowedAgain { return nil }
            v = sum
            i += 1
        }
        return negative ? -v : v
    }
}
