import Foundation

/// A blocking HTTP/1.0 GET over a plain socket: the CLI makes one request
/// and exits, so an event loop would only add start-up time.
enum HTTPGet {
    struct Response {
        var status: Int
        var body: String
    }

    static func fetch(address: StatusAddress, target: String, headers: [String: String], timeoutSeconds: Int) throws -> Response {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(address.host, String(address.port), &hints, &list) == 0, let first = list else {
            throw StatusClientError.notRunning("cannot resolve \(address.host)")
        }
        defer { freeaddrinfo(list) }
        var fd: Int32 = -1
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let info = node {
            fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { break }
                close(fd)
                fd = -1
            }
            node = info.pointee.ai_next
        }
        guard fd >= 0 else {
            throw StatusClientError.notRunning("nothing listens on \(address) (cmd_address)")
        }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var request = "GET \(target) HTTP/1.0\r\nHost: \(address)\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw StatusClientError.badResponse("connection lost while sending") }
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { break }
            guard n > 0 else { throw StatusClientError.badResponse("no complete answer within \(timeoutSeconds) s") }
            received += buffer[0..<n]
        }
        return try parse(received)
    }

    static func parse(_ raw: [UInt8]) throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let split = (0..<max(0, raw.count - 3)).first(where: { raw[$0..<$0 + 4].elementsEqual(separator) }) else {
            throw StatusClientError.badResponse("malformed HTTP answer")
        }
        let head = String(decoding: raw[..<split], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw StatusClientError.badResponse("malformed status line") }
        return Response(status: status, body: String(decoding: raw[(split + 4)...], as: UTF8.self))
    }
}
