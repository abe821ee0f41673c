import CVigilModule

/// What a module's configure receives about one instance — in the agent's
/// process, or sent to a `vigil module-host` child.
struct InstanceSetup {
    var path: String
    var checkName: String
    var instanceID: String
    var intervalMilliseconds: UInt32
    var initConfigYAML: String
    var instanceYAML: String
    var hostname: String

    /// Calls the module's configure: its status, its error text, and the instance it made.
    func configure(_ descriptor: UnsafePointer<vigil_module>, api: UnsafePointer<vigil_host_api>,
                   host: OpaquePointer) -> (vigil_status, String, UnsafeMutableRawPointer?) {
        var out: UnsafeMutableRawPointer?
        let (status, message) = ModuleInstance.callWithErrorBuffer { errbuf, size in
            checkName.withCString { checkName in
                instanceID.withCString { id in
                    initConfigYAML.withCString { initYAML in
                        instanceYAML.withCString { instanceYAML in
                            var config = vigil_instance_config(
                                struct_size: UInt32(MemoryLayout<vigil_instance_config>.size),
                                interval_ms: intervalMilliseconds, check_name: checkName, instance_id: id,
                                init_config_yaml: initYAML, instance_yaml: instanceYAML)
                            return descriptor.pointee.configure(api, host, &config, &out, errbuf, size)
                        }
                    }
                }
            }
        }
        return (status, message, status == VIGIL_OK ? out : nil)
    }
}

/// The setup as the configure frame carries it.
extension InstanceSetup {
    var encoded: [UInt8] {
        var w = ByteWriter()
        w.string(path)
        w.string(checkName)
        w.string(instanceID)
        w.u32(intervalMilliseconds)
        w.string(initConfigYAML)
        w.string(instanceYAML)
        w.string(hostname)
        return w.bytes
    }

    init(_ reader: ByteReader) throws(ByteReader.Truncated) {
        var r = reader
        path = try r.string()
        checkName = try r.string()
        instanceID = try r.string()
        intervalMilliseconds = try r.u32()
        initConfigYAML = try r.string()
        instanceYAML = try r.string()
        hostname = try r.string()
    }
}
