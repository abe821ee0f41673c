import NIOCore
import NIOPosix
import NIOSSL

/// `HTTPGet` over TLS, for an agent whose `cmd_address` has a certificate:
/// the same HTTP/1.0 exchange, read whole until the server closes.
enum TLSGet {
    static func fetch(address: StatusAddress, target: String, headers: [String: String], timeoutSeconds: Int,
                      context: NIOSSLContext) throws -> HTTPGet.Response {
        let collector = ResponseCollector()
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(Int64(timeoutSeconds)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
        let channel: Channel
        do { channel = try bootstrap.connect(host: address.host, port: address.port).wait() } catch {
            throw StatusClientError.notRunning("nothing answers TLS on \(address) (cmd_address): \(error)")
        }
        var request = "GET \(target) HTTP/1.0\r\nHost: \(address)\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        channel.writeAndFlush(channel.allocator.buffer(string: request), promise: nil)
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(Int64(timeoutSeconds))) { channel.close(promise: nil) }
        defer { timeout.cancel() }
        let bytes: [UInt8]
        do { bytes = try collector.done.futureResult.wait() } catch {
            throw StatusClientError.badResponse("no complete TLS answer from \(address): \(error)")
        }
        return try HTTPGet.parse(bytes)
    }

    private final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let done: EventLoopPromise<[UInt8]>
        private var received: [UInt8] = []

        init() { done = MultiThreadedEventLoopGroup.singleton.next().makePromise() }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            received += buffer.readBytes(length: buffer.readableBytes) ?? []
        }

        func channelInactive(context: ChannelHandlerContext) {
            done.succeed(received)
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            // A server closing without close_notify ends a complete HTTP/1.0 answer too.
            if let tls = error as? NIOSSLError, case .uncleanShutdown = tls { return }
            done.fail(error)
            context.close(promise: nil)
        }
    }
}
