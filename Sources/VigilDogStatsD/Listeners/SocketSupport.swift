import CVigilSystem
import Foundation

/// Socket setup shared by the listeners.
enum SocketSupport {
    static func fail(_ operation: String, _ target: String) -> DogStatsDError {
        .socket(operation: operation, target: target, errno: errno)
    }

    /// A Unix socket bound at `path`: a stale socket file is replaced, any
    /// other file at that path is refused.
    /// Folders made for a socket are 0755 whatever the umask: clients of any user (and
    /// containers that mount the folder) must reach the socket; nothing else goes there.
    static func createSocketFolders(for path: String) {
        var missing: [String] = []
        var folder = (path as NSString).deletingLastPathComponent
        var info = stat()
        while !folder.isEmpty, folder != "/", stat(folder, &info) != 0 {
            missing.append(folder)
            folder = (folder as NSString).deletingLastPathComponent
        }
        for made in missing.reversed() where mkdir(made, 0o755) == 0 {
            chmod(made, 0o755)
        }
    }

    /// True when something accepts a connection on the Unix socket at `path`.
    static func answers(path: String, type: Int32) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        guard path.utf8.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let fd = socket(AF_UNIX, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return rc == 0
    }

    static func bindUnix(path: String, type: Int32, mode: mode_t) throws(DogStatsDError) -> Int32 {
        var st = stat()
        if lstat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFSOCK else { throw .notASocket(path: path) }
            // A socket file left by a crashed agent is replaced; one a live process
            // still answers on is not taken from it.
            guard !answers(path: path, type: type) else { throw .socketInUse(path: path) }
            unlink(path)
        }
        createSocketFolders(for: path)

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else {
            throw .invalidSetting("socket path \(path) is longer than \(capacity - 1) bytes")
        }
        let fd = socket(AF_UNIX, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw fail("socket", path) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else {
            let error = fail("bind", path)
            close(fd)
            throw error
        }
        chmod(path, mode)
        return fd
    }

    /// A UDP socket on `port`, loopback only unless `anyAddress`.
    static func bindUDP(port: Int, anyAddress: Bool) throws(DogStatsDError) -> Int32 {
        let target = "\(anyAddress ? "0.0.0.0" : "127.0.0.1"):\(port)"
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw fail("socket", target) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = anyAddress ? INADDR_ANY : UInt32(0x7f00_0001).bigEndian
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let error = fail("bind", target)
            close(fd)
            throw error
        }
        return fd
    }

    static func setReceiveBuffer(_ fd: Int32, bytes: Int) {
        guard bytes > 0 else { return }
        var value = Int32(clamping: bytes)
        // SO_RCVBUFFORCE passes the rmem_max cap when running as root.
        if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &value, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Blocking reads give up after `seconds` so readers notice a stop.
    static func setReceiveTimeout(_ fd: Int32, seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }
}
