import ArgumentParser
import VigilModules

/// The child an isolated module instance runs in (`isolation: process`).
/// Started by the agent with its end of a socketpair on fd 3; not for people.
struct ModuleHostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "module-host",
        abstract: "Run one isolated module instance for the agent (started by the agent itself).",
        shouldDisplay: false)

    func run() {
        ModuleHostChild.run(socket: 3)
    }
}
