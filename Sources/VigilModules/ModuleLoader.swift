import CVigilModule
import Foundation
import Logging
import VigilConfig

/// Finds `*.so` files in each modules directory, loads them and negotiates
/// the ABI. Anything wrong with one file refuses that file only, with one
/// log line naming it and the reason.
public enum ModuleLoader {
    public struct Result: Sendable {
        public var records: [ModuleRecord] = []
        public var modules: [String: LoadedModule] = [:]
    }

    /// The smallest descriptor a 1.x host can use: up to and including `destroy`.
    static let minimumDescriptorSize = MemoryLayout<vigil_module>.size

    /// The agent's own shared library (SharedLibraries/Package.swift): it
    /// lies beside the modules in a build folder, and is no module.
    static let agentLibraries: Set<String> = ["libvigil-shared.so"]

    /// Loads every `*.so` in `directories` (only those starting with
    /// `requiredPrefix` when given), the agent's own libraries left out.
    public static func load(config: AgentConfig, logger: Logger) -> Result {
        load(directories: config.modulesPath, requiredPrefix: config.modulesPathIsDefault ? "libvigil-" : nil, logger: logger)
    }

    public static func load(directories: [String], requiredPrefix: String? = nil, logger: Logger) -> Result {
        var result = Result()
        for dir in directories {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
                logger.warning("modules directory \(dir) cannot be read")
                continue
            }
            for file in names.sorted() where file.hasSuffix(".so") && file.hasPrefix(requiredPrefix ?? "")
                && !agentLibraries.contains(file) {
                let path = dir + "/" + file
                let inspection = inspect(path: path, loaded: result.modules)
                if case let .refused(reason) = inspection.record.status {
                    logger.error("module \(path) refused: \(reason)")
                } else if let module = inspection.module {
                    result.modules[module.name] = module
                    logger.info("module \(module.name) \(module.version) loaded from \(path)")
                }
                result.records.append(inspection.record)
            }
        }
        return result
    }

    struct Inspection {
        var record: ModuleRecord
        var module: LoadedModule?
        init(path: String) { record = ModuleRecord(path: path, kinds: [], status: .refused("unknown")) }
        func refused(_ reason: String) -> Inspection {
            var copy = self
            copy.record.status = .refused(reason)
            return copy
        }
    }

    static func inspect(path: String, loaded: [String: LoadedModule]) -> Inspection {
        var it = Inspection(path: path)
        // Checked before dlopen: loading runs the file's constructors as the agent's user.
        if let problem = ModuleFileTrust.problem(path: path) { return it.refused(problem) }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let message = dlerror().map { String(cString: $0) } ?? "unknown error"
            return it.refused("cannot be loaded: \(message)")
        }
        guard let symbol = dlsym(handle, VIGIL_MODULE_ENTRY_SYMBOL) else {
            return it.refused("no \(VIGIL_MODULE_ENTRY_SYMBOL) symbol: not a Vigil module")
        }
        let entry = unsafeBitCast(symbol, to: vigil_module_entry_fn.self)
        guard let descriptor = entry(UInt16(VIGIL_ABI_MAJOR), UInt16(VIGIL_ABI_MINOR)) else {
            return it.refused("the module declined this host (ABI \(VIGIL_ABI_MAJOR).\(VIGIL_ABI_MINOR))")
        }
        // Read the leading fields every ABI major shares before trusting the rest.
        let size = Int(descriptor.pointee.struct_size)
        it.record.abiMajor = Int(descriptor.pointee.abi_major)
        it.record.abiMinor = Int(descriptor.pointee.abi_minor)
        guard descriptor.pointee.abi_major == VIGIL_ABI_MAJOR else {
            return it.refused("built for ABI major \(descriptor.pointee.abi_major); this agent speaks \(VIGIL_ABI_MAJOR)")
        }
        guard size >= minimumDescriptorSize else {
            return it.refused("descriptor struct_size \(size) is smaller than \(minimumDescriptorSize)")
        }
        let d = descriptor.pointee
        guard let namePtr = d.name, let name = String(validatingCString: namePtr), !name.isEmpty else {
            return it.refused("descriptor has no name")
        }
        it.record.name = name
        it.record.version = d.version.flatMap { String(validatingCString: $0) } ?? "unknown"
        it.record.description = d.description.flatMap { String(validatingCString: $0) }
        let kinds = ModuleKinds(rawValue: d.kinds)
        it.record.kinds = kinds
        guard d.configure != nil, d.destroy != nil else { return it.refused("configure and destroy are required") }
        guard !kinds.isEmpty else { return it.refused("declares no kind (check, collector, subscriber)") }
        if kinds.contains(.check), d.run == nil { return it.refused("declares kind check but has no run") }
        if kinds.contains(.collector), d.start == nil { return it.refused("declares kind collector but has no start") }
        if let other = loaded[name] { return it.refused("duplicate module name \(name) (already loaded from \(other.path))") }
        it.record.status = .loaded
        it.module = LoadedModule(name: name, version: it.record.version!, path: path, kinds: kinds, descriptor: descriptor)
        return it
    }
}
