/// Where a module's instances run.
public enum ModuleIsolation: String, Sendable {
    /// In the agent's process: cheapest, and a crash in the module is the agent's crash.
    case inProcess = "in_process"
    /// In a `vigil module-host` child per instance: a crash, hang or leak is the child's.
    case process
}
