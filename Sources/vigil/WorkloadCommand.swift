import ArgumentParser
import Foundation
import VigilModel
import VigilStatus

/// `vigil workload [--kind container|image|pod|autoscaler] [--json]`: entities in the running agent's store.
struct WorkloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workload", abstract: "List workload entities (containers, images, pods, autoscalers) from the running agent.")

    @OptionGroup var options: ConfigOption
    @Option(help: "Only this kind: container, image, pod, autoscaler.") var kind: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let config = try options.load()
        let listing = try fetchOrExit(config: config, path: "/workload", query: kind.map { ["kind": $0] } ?? [:])
        if json {
            say(listing.serialized(pretty: true))
            return
        }
        say(WorkloadText.render(listing, format: HumanFormat(now: WallClock.now())), terminator: "")
    }
}

/// `vigil tagger [--json]`: entity → tags per cardinality, from the running agent.
struct TaggerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tagger", abstract: "List the tags of every entity the running agent knows.")

    @OptionGroup var options: ConfigOption
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let config = try options.load()
        let listing = try fetchOrExit(config: config, path: "/tagger", query: [:])
        say(json ? listing.serialized(pretty: true) : render(listing))
    }

    func render(_ listing: JSONValue) -> String {
        guard case let .array(entries) = listing else { return listing.serialized(pretty: true) }
        return entries.map { entry in
            var lines = ["=== \(text(entry["entity"]))"]
            if case let .object(fields) = entry {
                for (key, value) in fields where key != "entity" { lines.append("  \(key): \(text(value))") }
            }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

func fetchOrExit(config: AgentConfig, path: String, query: [String: String]) throws -> JSONValue {
    do {
        return try StatusClient.get(config: config, path: path, query: query)
    } catch {
        sayError("vigil: \(error)\n")
        throw ExitCode(1)
    }
}

func text(_ value: JSONValue?) -> String { WorkloadText.text(value) }

import VigilConfig
