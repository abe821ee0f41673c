import ArgumentParser
import Foundation
import VigilModel
import VigilStatus

/// `vigil health [--live] [--json]`: the running agent's readiness (or
/// liveness), as a probe or a script would want it: exit 0 healthy,
/// 1 unhealthy, 2 not answering.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Ask the running agent whether it is ready (or, with --live, alive); exit 0 healthy, 1 not, 2 no answer.")

    @OptionGroup var options: ConfigOption

    @Flag(help: "Liveness only: the agent's own loops, not its destinations or collectors.")
    var live = false

    @Flag(help: "Print the answer as JSON.")
    var json = false

    func run() async throws {
        let config = try options.load()
        let answer: (healthy: Bool, body: JSONValue)
        do {
            answer = try StatusClient.probe(config: config, path: live ? "/health/live" : "/health/ready")
        } catch {
            sayError("vigil health: \(error)\n")
            throw ExitCode(2)
        }
        say(json ? answer.body.serialized(pretty: true) : HealthText.render(answer.body), terminator: json ? "\n" : "")
        if !answer.healthy { throw ExitCode(1) }
    }
}
