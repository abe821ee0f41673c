import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import VigilForwarding

/// A stand-in for Datadog's intake (the one part that cannot run here): a
/// real HTTP server that checks `DD-API-KEY`, undoes the announced
/// `Content-Encoding` and decodes each route's documented format — v2
/// series JSON, the agent-payload `SketchPayload` protobuf, check_run JSON,
/// v1 events JSON — recording only what it accepted.
final class RecordingIntake: Sendable {
    struct SeriesPoint: Hashable, Sendable {
        var metric: String
        var tags: [String]
        var host: String
        var timestamp: Int64
        var value: Double
        var type: Int
    }

    struct Dogsketch: Hashable, Sendable {
        var metric: String, host: String, tags: [String]
        var timestamp: Int64, count: Int64, min: Double, max: Double, avg: Double, sum: Double
        var keys: [Int32], counts: [UInt32]
    }

    struct Request: Sendable {
        var path: String
        var contentEncoding: String
        var contentType: String
        var items: Int
        var status: Int
        var headers: [String: String] = [:]
    }

    struct Recorded: Sendable {
        var series: [SeriesPoint] = []
        var sketches: [Dogsketch] = []
        var checks: [[String: String]] = []
        var events: [[String: String]] = []
        var requests: [Request] = []
        var decodeErrors: [String] = []
    }

    /// Decides the HTTP status from the route, the encoding token and the
    /// number of items in the body.
    typealias Responder = @Sendable (_ path: String, _ encoding: String, _ items: Int) -> Int

    let apiKey: String
    private let state = Mutex(Recorded())
    private let responder: Mutex<Responder>
    private let channel = Mutex<Channel?>(nil)

    init(apiKey: String, responder: @escaping Responder = { _, _, _ in 202 }) {
        self.apiKey = apiKey
        self.responder = Mutex(responder)
    }

    var recorded: Recorded { state.withLock { $0 } }

    func respond(with responder: @escaping Responder) { self.responder.withLock { $0 = responder } }

    /// Listens on `port` (0: any free one) and returns the port.
    @discardableResult
    func start(port: Int = 0) throws -> Int {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(Handler(intake: self))
                }
            }
        let bound = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
        channel.withLock { $0 = bound }
        return bound.localAddress?.port ?? port
    }

    func stop() {
        let bound = channel.withLock { c -> Channel? in defer { c = nil }; return c }
        try? bound?.close().wait()
    }

    /// Where it takes Prometheus remote write requests (snappy WriteRequests).
    static let remoteWritePath = "/api/v1/write"

    /// A port nothing listens on (yet).
    static func freePort() throws -> Int {
        let probe = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
        let port = probe.localAddress?.port ?? 0
        try probe.close().wait()
        return port
    }

    fileprivate func handle(head: HTTPRequestHead, body: [UInt8]) -> Int {
        // Remote write carries its own credentials (recorded, checked by the test).
        let remoteWrite = head.uri == Self.remoteWritePath
        guard remoteWrite || head.headers.first(name: "DD-API-KEY") == apiKey else { return 403 }
        let token = head.headers.first(name: "Content-Encoding") ?? ""
        guard let encoding = ContentEncoding(header: token) else { return 415 }
        let decoded: Decoded
        do {
            decoded = try Decoded(path: head.uri, body: try encoding.decompress(body))
        } catch {
            state.withLock { $0.decodeErrors.append("\(head.uri): \(error)") }
            return 400
        }
        let status = responder.withLock { $0 }(head.uri, token, decoded.items)
        state.withLock { recorded in
            recorded.requests.append(Request(path: head.uri, contentEncoding: token,
                                             contentType: head.headers.first(name: "Content-Type") ?? "",
                                             items: decoded.items, status: status,
                                             headers: Dictionary(head.headers.map { ($0.name.lowercased(), $0.value) },
                                                                 uniquingKeysWith: { a, b in a + "," + b })))
            guard (200..<300).contains(status) else { return }
            recorded.series += decoded.series
            recorded.sketches += decoded.sketches
            recorded.checks += decoded.checks
            recorded.events += decoded.events
        }
        return status
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let intake: RecordingIntake
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(intake: RecordingIntake) { self.intake = intake }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case let .head(h): head = h; body = []
            case var .body(buffer): body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard let head else { return }
                let status = intake.handle(head: head, body: body)
                let reply = Array("{\"status\":\"\(status)\"}".utf8)
                var headers = HTTPHeaders()
                headers.add(name: "Content-Length", value: String(reply.count))
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers))),
                              promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: reply)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}

/// One request body decoded per its route's public format.
struct Decoded {
    var items = 0
    var series: [RecordingIntake.SeriesPoint] = []
    var sketches: [RecordingIntake.Dogsketch] = []
    var checks: [[String: String]] = []
    var events: [[String: String]] = []

    struct FormatError: Error { let reason: String }

    init(path: String, body: [UInt8]) throws {
        switch path {
        case RecordingIntake.remoteWritePath:
            guard let fields = ProtobufReader.topLevelFields(body[...]) else { throw FormatError(reason: "bad WriteRequest") }
            items = fields.count
        case "/api/v2/series":
            guard let root = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                  let list = root["series"] as? [[String: Any]] else { throw FormatError(reason: "no series list") }
            items = list.count
            for entry in list {
                guard let metric = entry["metric"] as? String, let points = entry["points"] as? [[String: Any]] else {
                    throw FormatError(reason: "series without metric or points")
                }
                let host = (entry["resources"] as? [[String: String]])?.first { $0["type"] == "host" }?["name"] ?? ""
                for point in points {
                    guard let ts = point["timestamp"] as? NSNumber, let value = point["value"] as? NSNumber else {
                        throw FormatError(reason: "point without timestamp or value")
                    }
                    series.append(.init(metric: metric, tags: entry["tags"] as? [String] ?? [], host: host,
                                        timestamp: ts.int64Value, value: value.doubleValue, type: entry["type"] as? Int ?? 0))
                }
            }
        case "/api/v1/check_run":
            guard let list = try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]] else {
                throw FormatError(reason: "check_run body is not a list")
            }
            items = list.count
            checks = list.map { $0.mapValues { "\($0)" } }
        case "/api/v1/events":
            guard let event = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], event["title"] is String else {
                throw FormatError(reason: "event without title")
            }
            items = 1
            events = [event.mapValues { "\($0)" }]
        case "/api/beta/sketches":
            var payload = ProtobufReader(body)
            while !payload.isAtEnd {
                guard let (field, value) = payload.next() else { throw FormatError(reason: "bad SketchPayload") }
                guard field == 1, case let .bytes(sketch) = value else { continue }
                items += 1
                sketches += try Decoded.sketch(sketch)
            }
        default:
            throw FormatError(reason: "unknown route \(path)")
        }
    }

    static func sketch(_ bytes: [UInt8]) throws -> [RecordingIntake.Dogsketch] {
        var reader = ProtobufReader(bytes)
        var metric = "", host = "", tags: [String] = [], dogs: [[UInt8]] = []
        while !reader.isAtEnd {
            guard let (field, value) = reader.next() else { throw FormatError(reason: "bad Sketch") }
            guard case let .bytes(b) = value else { continue }
            switch field {
            case 1: metric = String(decoding: b, as: UTF8.self)
            case 2: host = String(decoding: b, as: UTF8.self)
            case 4: tags.append(String(decoding: b, as: UTF8.self))
            case 7: dogs.append(b)
            default: break
            }
        }
        return try dogs.map { dog in
            var d = RecordingIntake.Dogsketch(metric: metric, host: host, tags: tags, timestamp: 0, count: 0, min: 0, max: 0,
                                              avg: 0, sum: 0, keys: [], counts: [])
            var r = ProtobufReader(dog)
            while !r.isAtEnd {
                guard let (field, value) = r.next() else { throw FormatError(reason: "bad Dogsketch") }
                switch (field, value) {
                case let (1, .varint(v)): d.timestamp = Int64(bitPattern: v)
                case let (2, .varint(v)): d.count = Int64(bitPattern: v)
                case let (3, .fixed64(v)): d.min = Double(bitPattern: v)
                case let (4, .fixed64(v)): d.max = Double(bitPattern: v)
                case let (5, .fixed64(v)): d.avg = Double(bitPattern: v)
                case let (6, .fixed64(v)): d.sum = Double(bitPattern: v)
                case let (7, .bytes(b)):
                    d.keys = ProtobufReader.packedVarints(b).map { Int32(truncatingIfNeeded: Int64(bitPattern: $0 >> 1) ^ -Int64(bitPattern: $0 & 1)) }
                case let (8, .bytes(b)): d.counts = ProtobufReader.packedVarints(b).map { UInt32(truncatingIfNeeded: $0) }
                default: break
                }
            }
            return d
        }
    }
}
