import CVigilModule
import Foundation

/// `vigil module-host`: the child process an isolated instance runs in. It
/// loads the module file with the same checks as the agent, then runs the
/// commands the agent sends (configure, run, start, stop, destroy) on its
/// main thread, one at a time, as the ABI promises a module. It exits when
/// the agent closes the socket or dies.
public enum ModuleHostChild {
    public static func run(socket fd: Int32) -> Never {
        // No PR_SET_PDEATHSIG: it follows the thread that spawned the child,
        // not the agent. The reader below ends the child at the socket's EOF,
        // which the agent's exit causes, even while the module hangs.
        // The agent ends this child (destroy, then EOF). A stop signal sent to the
        // whole group or cgroup (systemd's KillMode, `timeout`) is the agent's
        // to act on: ignored here so the instance is destroyed in order.
        for sig in [SIGTERM, SIGINT, SIGHUP] { signal(sig, SIG_IGN) }
        let channel = FrameChannel(fd: fd)
        let instance = ChildInstance(channel: channel)
        let commands = BlockingQueue<Frame>()
        let events = BlockingQueue<Frame>()
        instance.startDispatching(events)
        let reader = Thread {
            while let frame = channel.receive() {
                switch frame.kind {
                case .reply: instance.deliver(reply: frame)
                case .entityEvents: events.put(frame)
                default: commands.put(frame)
                }
            }
            // The agent is gone or stopped this child: nothing left to do.
            instance.agentGone()
            _exit(0)
        }
        reader.name = "vigil-module-reader"
        reader.start()

        var module: UnsafePointer<vigil_module>?
        var handle: UnsafeMutableRawPointer?
        while let command = commands.take() {
            var status = VIGIL_OK
            var message = ""
            switch command.kind {
            case .configure:
                (status, message) = configure(command, instance, &module, &handle)
            case .run:
                if let module, let handle, let run = module.pointee.run {
                    (status, message) = ModuleInstance.callWithErrorBuffer { run(handle, $0, $1) }
                } else {
                    (status, message) = (VIGIL_ERROR_UNSUPPORTED, "not a check")
                }
            case .start:
                if let module, let handle, let start = module.pointee.start {
                    (status, message) = ModuleInstance.callWithErrorBuffer { start(handle, $0, $1) }
                }
            case .stop:
                if let module, let handle { module.pointee.stop?(handle) }
            case .destroy:
                if let module, let handle { module.pointee.destroy(handle) }
                reply(channel, command, VIGIL_OK, "")
                _exit(0)
            default:
                (status, message) = (VIGIL_ERROR_INVALID, "unexpected frame \(command.kind)")
            }
            reply(channel, command, status, message)
        }
        _exit(0)
    }

    private static func reply(_ channel: FrameChannel, _ command: Frame, _ status: vigil_status, _ message: String) {
        var w = ByteWriter()
        w.u32(status.rawValue)
        w.string(message)
        channel.send(.done, request: command.request, w.bytes)
    }

    private static func configure(_ command: Frame, _ instance: ChildInstance,
                                  _ module: inout UnsafePointer<vigil_module>?,
                                  _ handle: inout UnsafeMutableRawPointer?) -> (vigil_status, String) {
        let setup: InstanceSetup
        do { setup = try command.payload.withUnsafeBytes { b throws(ByteReader.Truncated) in try InstanceSetup(ByteReader(b)) } }
        catch { return (VIGIL_ERROR_INVALID, "configure frame is truncated") }
        let inspection = ModuleLoader.inspect(path: setup.path, loaded: [:])
        guard let loaded = inspection.module else {
            if case let .refused(reason) = inspection.record.status { return (VIGIL_ERROR_CONFIG, "module refused: \(reason)") }
            return (VIGIL_ERROR_CONFIG, "module refused")
        }
        module = loaded.descriptor
        instance.hostname = setup.hostname
        let (status, message, out) = setup.configure(loaded.descriptor, api: ChildHostTable.table, host: instance.opaque)
        handle = out
        return (status, message)
    }
}
