import Foundation
import Synchronization

/// A bearer token file, read again whenever it changes (service-account
/// tokens are rotated by swapping the file under a symlink): the file's
/// identity (device, inode), size and modification time are checked at each
/// request, and the contents read only when one of them differs.
public final class TokenFile: Sendable {
    private struct Seen: Equatable {
        var device: UInt64, inode: UInt64, size: Int64, seconds: Int, nanoseconds: Int
    }

    public let path: String
    private let state = Mutex<(seen: Seen?, token: String, reads: Int)>((nil, "", 0))

    public init(path: String) { self.path = path }

    /// How many times the file was read (tests).
    public var reads: Int { state.withLock { $0.reads } }

    public func current() throws(KubernetesError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .configuration("cannot read the token file \(path): \(String(cString: strerror(errno)))") }
        let seen = Seen(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                        seconds: info.st_mtim.tv_sec, nanoseconds: info.st_mtim.tv_nsec)
        if let cached = state.withLock({ $0.seen == seen ? $0.token : nil }) { return cached }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .configuration("cannot read the token file \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        state.withLock { $0 = (seen, token, $0.reads + 1) }
        return token
    }
}
