import ArgumentParser
import Logging
import VigilAgent
import VigilModel
import VigilModules

struct ModulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modules", abstract: "List every module file found, loaded or refused.")

    @OptionGroup var options: ConfigOption
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let config = try options.load()
        var logger = Logger(label: "vigil")
        logger.logLevel = .critical
        let result = ModuleLoader.load(config: config, logger: logger)
        if json {
            say(JSONValue.array(result.records.map(\.json)).serialized(pretty: true))
            return
        }
        say(ModuleTable.render(result.records), terminator: "")
    }
}
