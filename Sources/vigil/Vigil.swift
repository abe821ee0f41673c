import ArgumentParser
import VigilAgent
import VigilConfig

@main
struct Vigil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "A container-monitoring agent: checks, DogStatsD, workload metadata, forwarding.",
        subcommands: [
            RunCommand.self, CheckCommand.self, StatusCommand.self, QueryCommand.self,
            WorkloadCommand.self, TaggerCommand.self, ModulesCommand.self, ConfigCheckCommand.self, VersionCommand.self,
        ]
    )
}

/// `-c/--config FILE`, shared by every command.
struct ConfigOption: ParsableArguments {
    @Option(name: [.short, .customLong("config")], help: "Configuration file.")
    var config: String = "./vigil.yaml"

    /// Loads the file; a missing default file means the embedded defaults.
    func load() throws -> AgentConfig {
        do {
            let config = try AgentConfig.load(path: config, allowMissing: self.config == "./vigil.yaml")
            LogSetup.bootstrap(level: config.logLevel)
            return config
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
