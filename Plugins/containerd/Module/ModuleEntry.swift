import CVigilModule
import Foundation

/// One configured instance: the collector and the task running it.
final class ContainerdInstance: @unchecked Sendable {
    let sink: HostSink
    let settings: CollectorSettings
    // Touched only from configure/start/stop/destroy, which the host serialises.
    var task: Task<Void, Never>?

    init(sink: HostSink, settings: CollectorSettings) {
        self.sink = sink
        self.settings = settings
    }

    func start() {
        guard task == nil else { return }
        let collector = ContainerdCollector(settings: settings, sink: sink)
        task = Task.detached { await collector.run() }
    }

    /// Cancels the collector and waits for it, without needing an async caller.
    func stop() {
        guard let task else { return }
        self.task = nil
        task.cancel()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await task.value
            done.signal()
        }
        done.wait()
    }
}

private func writeError(_ message: String, _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int) {
    guard let buffer, size > 0 else { return }
    let bytes = Array(message.utf8.prefix(size - 1))
    for (index, byte) in bytes.enumerated() { buffer[index] = CChar(bitPattern: byte) }
    buffer[bytes.count] = 0
}

private func instance(_ pointer: UnsafeMutableRawPointer?) -> ContainerdInstance? {
    pointer.map { Unmanaged<ContainerdInstance>.fromOpaque($0).takeUnretainedValue() }
}

// Written once at first use, read-only afterwards (the host only reads it).
private nonisolated(unsafe) let descriptor: UnsafeMutablePointer<vigil_module> = {
    let module = UnsafeMutablePointer<vigil_module>.allocate(capacity: 1)
    module.initialize(to: vigil_module(
        struct_size: UInt32(MemoryLayout<vigil_module>.size),
        abi_major: UInt16(VIGIL_ABI_MAJOR), abi_minor: UInt16(VIGIL_ABI_MINOR),
        name: strdup("containerd"), version: strdup("1.0.0"),
        description: strdup("Containers and images from containerd into the workload store"),
        kinds: VIGIL_MODULE_KIND_COLLECTOR, reserved: 0,
        configure: { api, host, _, instanceOut, errbuf, errbufSize in
            guard let api, let host, let instanceOut else { return VIGIL_ERROR_INVALID }
            let sink = HostSink(api: api, host: host)
            do {
                let settings = try ModuleSettings.load(sink.configValue)
                instanceOut.pointee = Unmanaged.passRetained(ContainerdInstance(sink: sink, settings: settings)).toOpaque()
                return VIGIL_OK
            } catch {
                writeError("\(error)", errbuf, errbufSize)
                return VIGIL_ERROR_CONFIG
            }
        },
        run: nil,
        start: { pointer, _, _ in
            guard let instance = instance(pointer) else { return VIGIL_ERROR_INVALID }
            instance.start()
            return VIGIL_OK
        },
        stop: { pointer in instance(pointer)?.stop() },
        destroy: { pointer in
            guard let pointer else { return }
            let instance = Unmanaged<ContainerdInstance>.fromOpaque(pointer)
            instance.takeUnretainedValue().stop()
            instance.release()
        }))
    return module
}()

@_cdecl("vigil_module_entry")
public func vigilModuleEntry(_ hostMajor: UInt16, _ hostMinor: UInt16) -> UnsafePointer<vigil_module>? {
    guard hostMajor == UInt16(VIGIL_ABI_MAJOR) else { return nil }
    return UnsafePointer(descriptor)
}
