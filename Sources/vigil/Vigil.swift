import ArgumentParser
import Foundation
import VigilAgent
import VigilConfig

@main
struct Vigil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "A container-monitoring agent: checks, DogStatsD, workload metadata, forwarding.",
        subcommands: [
            RunCommand.self, CheckCommand.self, StatusCommand.self, HealthCommand.self, QueryCommand.self,
            WorkloadCommand.self, TaggerCommand.self, AutoscalingCommand.self, ConsoleCommand.self, ModulesCommand.self, ConfigCheckCommand.self,
            SBOMCommand.self, VersionCommand.self, ModuleHostCommand.self,
        ]
    )

    /// A mistake on the command line or in the configuration gets one line that says what was
    /// wrong and what was expected, not the whole usage text; `--help` still prints it all.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                say(fullMessage(for: error))
            } else {
                sayError("vigil: \(message(for: error))\n")
            }
            Foundation.exit(code.rawValue)
        }
    }
}

/// Says what went wrong on one line and returns the exit code to throw.
func failure(_ message: String, code: Int32 = 64) -> ExitCode {
    sayError("vigil: \(message)\n")
    return ExitCode(code)
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
            // 78 is EX_CONFIG.
            throw failure("\(error)", code: 78)
        }
    }
}
