import CVigilModule

/// A module that passed every check at load. Never unloaded: modules may
/// hold threads or runtime state (a Swift module its own metadata) that
/// cannot be torn down safely.
public final class LoadedModule: @unchecked Sendable {
    public let name: String
    public let version: String
    public let path: String
    public let kinds: ModuleKinds
    let descriptor: UnsafePointer<vigil_module>

    init(name: String, version: String, path: String, kinds: ModuleKinds, descriptor: UnsafePointer<vigil_module>) {
        self.name = name
        self.version = version
        self.path = path
        self.kinds = kinds
        self.descriptor = descriptor
    }
}
