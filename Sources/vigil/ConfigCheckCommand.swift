import ArgumentParser
import VigilAgent
import VigilConfig
import VigilModel
import VigilStatus

struct ConfigCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "configcheck", abstract: "Show every resolved check configuration and every configuration error.")

    @OptionGroup var options: ConfigOption
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let config = try options.load()
        let result = ConfDirectory.load(paths: config.confdPath)
        // Templates resolve against live containers: ask the running agent.
        let discovered = try? StatusClient.get(config: config, path: "/configcheck", timeoutSeconds: 3)
        let configs = JSONValue.array(result.configs.flatMap { check in
            check.instances.map { instance in
                .object([
                    ("check", .string(check.checkName)),
                    ("source", .string(check.sourceFile)),
                    ("instance_id", .string(instance.id)),
                    ("instance", instance.node.json),
                    ("init_config", check.initConfig.json),
                    ("ad_identifiers", .array(check.adIdentifiers.map { .string($0) })),
                ])
            }
        })
        if json {
            print(JSONValue.object([
                ("configs", configs),
                ("autodiscovery", discovered ?? .null),
                ("errors", .array(result.errors.map { .string($0.description) })),
            ]).serialized(pretty: true))
        } else {
            for check in result.configs {
                for instance in check.instances {
                    print("=== \(check.checkName) (\(check.sourceFile))\(check.isTemplate ? " template for \(check.adIdentifiers.joined(separator: ", "))" : "")")
                    print("instance \(instance.id): \(instance.node.json.serialized())")
                    print("init_config: \(check.initConfig.json.serialized())\n")
                }
            }
            if case let .array(resolved)? = discovered?["resolved"] {
                for r in resolved {
                    print("=== \(text(r["check"])) (\(text(r["source"]))) resolved for container \(text(r["container_name"])) \(text(r["container_id"]).prefix(12)) [\(text(r["image"]))]")
                    print("instance \(text(r["instance_id"])): \(r["instance"]?.serialized() ?? "")")
                    print("tags: \(text(r["tags"]))\n")
                }
            } else if result.configs.contains(where: \.isTemplate) {
                print("(templates are resolved against containers by the running agent; it is not reachable)\n")
            }
            for error in result.errors { print("ERROR \(error)") }
        }
        if !result.errors.isEmpty { throw ExitCode(1) }
    }
}
