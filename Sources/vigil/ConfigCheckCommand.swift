import ArgumentParser
import Logging
import VigilAgent
import VigilConfig
import VigilModel
import VigilModules
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
                    ("instance", SecretKeys.redacted(instance.node).json),
                    ("init_config", SecretKeys.redacted(check.initConfig).json),
                    ("ad_identifiers", .array(check.adIdentifiers.map { .string($0) })),
                ])
            }
        })
        var logger = Logger(label: "vigil")
        logger.logLevel = .critical
        let modules = ModuleLoader.load(config: config, logger: logger).modules
        // What is wrong besides parse errors: checks no module runs, settings nothing reads.
        var problems = result.configs.filter { modules[$0.checkName] == nil }.map {
            "\($0.sourceFile): no loaded module named \($0.checkName) (see vigil modules; modules_path: \(config.modulesPath.joined(separator: ", ")))"
        }
        problems += config.lintWarnings.map(\.description)
        var notes: [String] = []
        if case let .array(resolved)? = discovered?["resolved"] {
            let matched = Set(resolved.compactMap { $0["source"].flatMap { if case let .string(s) = $0 { s } else { nil } } })
            for template in result.configs where template.isTemplate && !matched.contains(template.sourceFile) {
                notes.append("\(template.sourceFile): template for \(template.adIdentifiers.joined(separator: ", ")) matches no running container")
            }
        }
        if json {
            say(JSONValue.object([
                ("configs", configs),
                ("autodiscovery", discovered ?? .null),
                ("errors", .array(result.errors.map { .string($0.description) } + problems.map { .string($0) })),
                ("notes", .array(notes.map { .string($0) })),
            ]).serialized(pretty: true))
        } else {
            for check in result.configs {
                for instance in check.instances {
                    say("=== \(check.checkName) (\(check.sourceFile))\(check.isTemplate ? " template for \(check.adIdentifiers.joined(separator: ", "))" : "")")
                    say("instance \(instance.id): \(SecretKeys.redacted(instance.node).json.serialized())")
                    say("init_config: \(SecretKeys.redacted(check.initConfig).json.serialized())\n")
                }
            }
            if case let .array(resolved)? = discovered?["resolved"] {
                for r in resolved {
                    say("=== \(text(r["check"])) (\(text(r["source"]))) resolved for container \(text(r["container_name"])) \(text(r["container_id"]).prefix(12)) [\(text(r["image"]))]")
                    say("instance \(text(r["instance_id"])): \(r["instance"]?.serialized() ?? "")")
                    say("tags: \(text(r["tags"]))\n")
                }
            } else if result.configs.contains(where: \.isTemplate) {
                say("(templates are resolved against containers by the running agent; it is not reachable)\n")
            }
            for error in result.errors { say("ERROR \(error)") }
            for problem in problems { say("ERROR \(problem)") }
            for note in notes { say("NOTE \(note)") }
        }
        if !result.errors.isEmpty || !problems.isEmpty { throw ExitCode(1) }
    }
}
