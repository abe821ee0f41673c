import CVigilModule

/// One configured instance of a Swift module. The kit calls these from the
/// descriptor's C callbacks, which the host serialises per instance.
public protocol ModuleInstanceBody: AnyObject {
    /// Kind check: one collection; a thrown error is the run's error message.
    func run() throws
    /// Kind collector: begin background work and return.
    func start() throws
    /// Stops background work and waits for it (also called before destroy).
    func stop()
}

public extension ModuleInstanceBody {
    func run() throws {}
    func start() throws {}
    func stop() {}
}

/// What a Swift module declares: its descriptor fields and how to configure an instance.
public struct ModuleDefinition: @unchecked Sendable {
    public var name: String
    public var version: String
    public var description: String
    /// VIGIL_MODULE_KIND_* bits.
    public var kinds: UInt32
    /// Builds an instance; a thrown error is reported as the configuration error.
    public var configure: (ModuleHost, InstanceInfo) throws -> ModuleInstanceBody

    public init(name: String, version: String, description: String, kinds: UInt32,
                configure: @escaping (ModuleHost, InstanceInfo) throws -> ModuleInstanceBody) {
        self.name = name
        self.version = version
        self.description = description
        self.kinds = kinds
        self.configure = configure
    }
}

/// The parts of vigil_instance_config a Swift module may need.
public struct InstanceInfo: Sendable {
    public var checkName: String
    public var instanceID: String
    public var intervalMilliseconds: UInt32
}

/// Builds the C descriptor for a Swift module. Each module's .so links its
/// own copy of the kit, so the one definition held here is that module's.
public enum ModuleExport {
    // Written once by descriptor(for:) from vigil_module_entry, before any callback can run.
    nonisolated(unsafe) private static var definition: ModuleDefinition?
    nonisolated(unsafe) private static var built: UnsafeMutablePointer<vigil_module>?
    nonisolated(unsafe) private static var descriptorStrings: CArena?

    /// The descriptor to return from `vigil_module_entry`, or nil for a host of another major version.
    public static func descriptor(for definition: ModuleDefinition, hostMajor: UInt16) -> UnsafePointer<vigil_module>? {
        guard hostMajor == UInt16(VIGIL_ABI_MAJOR) else { return nil }
        if let built { return UnsafePointer(built) }
        self.definition = definition
        // The descriptor lives as long as the library, so its strings do too.
        let strings = CArena()
        descriptorStrings = strings
        let module = UnsafeMutablePointer<vigil_module>.allocate(capacity: 1)
        module.initialize(to: vigil_module(
            struct_size: UInt32(MemoryLayout<vigil_module>.size),
            abi_major: UInt16(VIGIL_ABI_MAJOR), abi_minor: UInt16(VIGIL_ABI_MINOR),
            name: strings.string(definition.name), version: strings.string(definition.version),
            description: strings.string(definition.description),
            kinds: definition.kinds, reserved: 0,
            configure: configure,
            run: definition.kinds & VIGIL_MODULE_KIND_CHECK != 0 ? run : nil,
            start: definition.kinds & VIGIL_MODULE_KIND_COLLECTOR != 0 ? start : nil,
            stop: { pointer in body(pointer)?.stop() },
            destroy: { pointer in
                guard let pointer else { return }
                let instance = Unmanaged<AnyObject>.fromOpaque(pointer)
                (instance.takeUnretainedValue() as? ModuleInstanceBody)?.stop()
                instance.release()
            }))
        built = module
        return UnsafePointer(module)
    }

    private static let configure: @convention(c) (UnsafePointer<vigil_host_api>?, OpaquePointer?,
                                                  UnsafePointer<vigil_instance_config>?,
                                                  UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                                  UnsafeMutablePointer<CChar>?, Int) -> vigil_status = {
        api, handle, config, out, errbuf, size in
        guard let api, let handle, let out, let definition = ModuleExport.definition else { return VIGIL_ERROR_INVALID }
        let host = ModuleHost(api: api, handle: handle, source: definition.name)
        let info = InstanceInfo(checkName: optionalString(config?.pointee.check_name) ?? definition.name,
                                instanceID: optionalString(config?.pointee.instance_id) ?? definition.name,
                                intervalMilliseconds: config?.pointee.interval_ms ?? 0)
        do {
            let instance = try definition.configure(host, info)
            out.pointee = Unmanaged.passRetained(instance as AnyObject).toOpaque()
            return VIGIL_OK
        } catch {
            _ = copyOut("\(error)", errbuf, size)
            return VIGIL_ERROR_CONFIG
        }
    }

    private static let run: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<CChar>?, Int) -> vigil_status = {
        pointer, errbuf, size in invoke(pointer, errbuf, size) { try $0.run() }
    }

    private static let start: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<CChar>?, Int) -> vigil_status = {
        pointer, errbuf, size in invoke(pointer, errbuf, size) { try $0.start() }
    }
}

/// Calls into an instance; a thrown error becomes the call's message and VIGIL_ERROR.
private func invoke(_ pointer: UnsafeMutableRawPointer?, _ errbuf: UnsafeMutablePointer<CChar>?, _ size: Int,
                    _ call: (ModuleInstanceBody) throws -> Void) -> vigil_status {
    guard let instance = body(pointer) else { return VIGIL_ERROR_INVALID }
    do {
        try call(instance)
        return VIGIL_OK
    } catch {
        _ = copyOut("\(error)", errbuf, size)
        return VIGIL_ERROR
    }
}

private func body(_ pointer: UnsafeMutableRawPointer?) -> ModuleInstanceBody? {
    pointer.map { Unmanaged<AnyObject>.fromOpaque($0).takeUnretainedValue() as? ModuleInstanceBody } ?? nil
}
