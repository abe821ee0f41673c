import ArgumentParser
import Foundation
import VigilModel
import VigilStatus

/// `vigil status [--json]`: asks the running agent's status API.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the running agent's state: checks, DogStatsD, forwarder, workload.")

    @OptionGroup var options: ConfigOption

    @Flag(help: "Print the raw status document as JSON.")
    var json = false

    func run() async throws {
        let config = try options.load()
        let status: JSONValue
        do {
            status = try StatusClient.get(config: config, path: "/status")
        } catch {
            sayError("vigil status: \(error)\n")
            throw ExitCode(1)
        }
        say(json ? status.serialized(pretty: true) : StatusText.render(status, format: HumanFormat(now: WallClock.now())), terminator: json ? "\n" : "")
    }
}
