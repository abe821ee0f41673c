import NIOHTTP1

/// A request as a browser-facing route sees it: any method, its headers and
/// (small) body, and whether it came from this host. The status API's JSON
/// routes stay GET-only and token-only; a web route (the console) does its
/// own access control, so it is handed everything it needs to decide.
public struct WebRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The peer is a loopback address (127.0.0.0/8 or ::1).
    public var fromLoopback: Bool
    /// `Authorization: Bearer <token>` carried the status API's token.
    public var bearerAuthorized: Bool

    public init(method: String, path: String, query: [String: String] = [:], headers: [(String, String)] = [],
                body: [UInt8] = [], fromLoopback: Bool = true, bearerAuthorized: Bool = false) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.fromLoopback = fromLoopback
        self.bearerAuthorized = bearerAuthorized
    }

    /// The first header named `name`, case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.0.lowercased() == wanted }?.1
    }
}

/// A complete answer: status, headers (Content-Length is added by the server) and body.
public struct WebResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A web route answers every path under its prefix. It may block (it reads
/// SQLite), so the server calls it off the event loop.
public typealias WebHandler = @Sendable (WebRequest) -> WebResponse

/// Web request bodies are form posts of a few fields (logout's CSRF token);
/// anything larger is refused before it is buffered.
let webBodyLimit = 16 * 1024
