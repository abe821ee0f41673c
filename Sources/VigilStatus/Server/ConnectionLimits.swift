import NIOCore
import NIOHTTP1
import Synchronization

/// What one client may hold of the status API. Every local user can connect
/// to `cmd_address`, token or not, so connections are bounded per peer
/// address and in all, and a request must arrive whole within a deadline:
/// an idle connection and one that trickles a byte at a time are closed alike.
public struct ConnectionLimits: Sendable {
    /// On loopback every local user shares one peer address, so this also bounds
    /// what they hold together; a CLI or a browser needs a handful.
    public var perPeer = 32
    public var total = 256
    /// From accepting a connection (or answering its previous request) to a complete request.
    public var requestSeconds: Int64 = 10

    public init() {}
}

/// Open connections per peer, and what was refused or cut short.
public final class ConnectionCounter: Sendable {
    public struct Totals: Sendable, Equatable {
        public var open = 0
        public var refused = 0
        public var timedOut = 0
    }

    private let limits: ConnectionLimits
    private let state = Mutex<(perPeer: [String: Int], totals: Totals)>(([:], Totals()))

    init(limits: ConnectionLimits) { self.limits = limits }

    public var totals: Totals { state.withLock { $0.totals } }

    func admit(_ peer: String) -> Bool {
        state.withLock { state in
            let held = state.perPeer[peer, default: 0]
            guard held < limits.perPeer, state.totals.open < limits.total else {
                state.totals.refused += 1
                return false
            }
            state.perPeer[peer] = held + 1
            state.totals.open += 1
            return true
        }
    }

    func release(_ peer: String) {
        state.withLock { state in
            let held = state.perPeer[peer, default: 1] - 1
            state.perPeer[peer] = held > 0 ? held : nil
            state.totals.open -= 1
        }
    }

    func timedOut() { state.withLock { $0.totals.timedOut += 1 } }
}

/// First in the pipeline: a connection over the limits is closed before a byte is read.
final class ConnectionLimitHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = NIOAny
    private let counter: ConnectionCounter
    private var admittedPeer: String?

    init(counter: ConnectionCounter) { self.counter = counter }

    func channelActive(context: ChannelHandlerContext) {
        let peer = context.remoteAddress?.ipAddress ?? "unknown"
        guard counter.admit(peer) else {
            context.close(promise: nil)
            return
        }
        admittedPeer = peer
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let peer = admittedPeer { counter.release(peer) }
        admittedPeer = nil
        context.fireChannelInactive()
    }
}

/// Closes a connection whose request has not arrived whole within the deadline,
/// counted from the connection's start and again after each answer. An answer
/// that takes long (a stream of events) is not cut: only waiting for a request is.
final class RequestDeadlineHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let seconds: Int64
    private let counter: ConnectionCounter
    private var deadline: Scheduled<Void>?

    init(seconds: Int64, counter: ConnectionCounter) {
        self.seconds = seconds
        self.counter = counter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { disarm() }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { arm(context) }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    private func arm(_ context: ChannelHandlerContext) {
        disarm()
        let channel = context.channel
        let counter = self.counter
        deadline = context.eventLoop.scheduleTask(in: .seconds(seconds)) {
            counter.timedOut()
            channel.close(promise: nil)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}
