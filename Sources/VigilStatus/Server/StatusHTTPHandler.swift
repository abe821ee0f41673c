import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import VigilModel

/// One request, one answer, then the connection closes: the status API
/// serves a CLI and a scraper, not a browser, so keep-alive buys nothing.
final class StatusHTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: StatusRoutes
    private let token: String
    private var head: HTTPRequestHead?
    // Only web routes read a body (logout's form); bounded by webBodyLimit.
    private var body: [UInt8] = []
    private var bodyTooLarge = false

    init(routes: StatusRoutes, token: String) {
        self.routes = routes
        self.token = token
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(request):
            head = request
            body = []
            bodyTooLarge = false
        case var .body(chunk):
            if body.count + chunk.readableBytes > webBodyLimit { bodyTooLarge = true } else if !bodyTooLarge {
                body += chunk.readBytes(length: chunk.readableBytes) ?? []
            }
        case .end:
            guard let request = head else { return }
            head = nil
            let (path, query) = StatusHTTPHandler.split(request.uri)
            if case let .web(handler) = routes.get(path) {
                answerWeb(context: context, request: request, path: path, query: query, handler: handler)
                return
            }
            let (status, contentType, body) = answer(request)
            respond(context: context, status: status, contentType: contentType, body: body)
        }
    }

    /// Web routes may read SQLite: they run on NIO's blocking pool, never on the event loop.
    private func answerWeb(context: ChannelHandlerContext, request: HTTPRequestHead, path: String, query: [String: String],
                           handler: @escaping WebHandler) {
        guard !bodyTooLarge else {
            respond(context: context, response: WebResponse(status: 413, body: Array("request body too large\n".utf8)))
            return
        }
        let web = WebRequest(method: request.method.rawValue, path: path, query: query,
                             headers: request.headers.map { ($0.name, $0.value) }, body: body,
                             fromLoopback: StatusHTTPHandler.isLoopback(context.channel.remoteAddress),
                             bearerAuthorized: authorized(request))
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        NIOThreadPool.singleton.runIfActive(eventLoop: context.eventLoop) { handler(web) }.whenComplete { result in
            let (handler, context) = bound.value
            switch result {
            case let .success(response): handler.respond(context: context, response: response)
            case .failure: handler.respond(context: context, response: WebResponse(status: 503))
            }
        }
    }

    static func isLoopback(_ address: SocketAddress?) -> Bool {
        guard let ip = address?.ipAddress else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }

    private func answer(_ request: HTTPRequestHead) -> (HTTPResponseStatus, String, String) {
        let (path, query) = StatusHTTPHandler.split(request.uri)
        guard let route = routes.get(path) else {
            return (.notFound, "application/json", error("no such path: \(path)"))
        }
        guard request.method == .GET else { return (.methodNotAllowed, "application/json", error("only GET is served")) }
        switch route {
        case let .json(handler):
            guard authorized(request) else { return (.unauthorized, "application/json", error("missing or wrong token")) }
            return (.ok, "application/json", handler(query).serialized() + "\n")
        case let .text(contentType, authenticated, handler):
            if authenticated, !authorized(request) {
                return (.unauthorized, "application/json", error("missing or wrong token"))
            }
            return (.ok, contentType, handler())
        case let .probe(handler):
            let (healthy, body) = handler()
            return (healthy ? .ok : .serviceUnavailable, "application/json", body.serialized() + "\n")
        case .web:
            return (.internalServerError, "application/json", error("web route not dispatched"))
        }
    }

    /// `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 6750, RFC 9110 §11.1).
    private func authorized(_ request: HTTPRequestHead) -> Bool {
        guard let header = request.headers.first(name: "Authorization"), header.count > 7,
              header.prefix(7).lowercased() == "bearer " else { return false }
        return AuthToken.matches(String(header.dropFirst(7).drop(while: { $0 == " " })), token)
    }

    private func error(_ message: String) -> String {
        JSONValue.object([("error", .string(message))]).serialized() + "\n"
    }

    private func respond(context: ChannelHandlerContext, status: HTTPResponseStatus, contentType: String, body: String) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    private func respond(context: ChannelHandlerContext, response: WebResponse) {
        var headers = HTTPHeaders()
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        headers.replaceOrAdd(name: "Connection", value: "close")
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    static func split(_ uri: String) -> (String, [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
            query[key] = value
        }
        return (String(uri[..<mark]), query)
    }
}
