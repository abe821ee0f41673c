import ArgumentParser
import Foundation
import VigilModel
import VigilStatus

/// `vigil console`: asks the running agent (with the status API's token)
/// for a one-time login code and prints the URL that logs a browser in.
/// The URL works once, within a minute; the token itself never leaves
/// the run folder.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console", abstract: "Print a one-time URL that opens the agent's web console in a browser.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try options.load()
        let answer: JSONValue
        let address: StatusAddress
        do {
            address = try StatusClient.agentAddress(config: config)
            answer = try StatusClient.get(config: config, path: "/console/login-code")
        } catch {
            sayError("vigil console: \(error) (is the console on? `console: false` turns it off)\n")
            throw ExitCode(1)
        }
        guard case let .string(path)? = answer["path"] else {
            sayError("vigil console: unexpected answer from the agent\n")
            throw ExitCode(1)
        }
        let scheme = config.string("cmd_tls_cert_file") == nil ? "http" : "https"
        say("\(scheme)://\(Self.browserHost(address))\(path)")
        sayError("(works once, within a minute; the console answers this host only unless console_allow_remote is set)\n")
    }

    /// A wildcard listen address is not somewhere a browser can go; loopback is.
    static func browserHost(_ address: StatusAddress) -> String {
        switch address.host {
        case "0.0.0.0", "": "127.0.0.1:\(address.port)"
        case "::": "[::1]:\(address.port)"
        default: address.description
        }
    }
}
