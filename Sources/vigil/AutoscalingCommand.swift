import ArgumentParser
import Foundation
import VigilModel
import VigilStatus

/// `vigil autoscaling [--json]`: each DatadogPodAutoscaler and the local recommendation for it.
struct AutoscalingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autoscaling",
        abstract: "List DatadogPodAutoscalers with the local recommendations of the running agent (replicas, requests).")

    @OptionGroup var options: ConfigOption
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let config = try options.load()
        let listing = try fetchOrExit(config: config, path: "/workload", query: ["kind": "autoscaler"])
        if json {
            say(AutoscalingText.json(listing).serialized(pretty: true))
            return
        }
        say(AutoscalingText.render(listing), terminator: "")
    }
}
