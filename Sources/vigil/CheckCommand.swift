import ArgumentParser
import Foundation
import VigilAgent
import VigilModel
import VigilStatus

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Run every instance of one check and print what it submits.")

    @OptionGroup var options: ConfigOption
    @Argument(help: "The check name (its conf.d folder without .d).") var name: String
    @Flag(help: "Print one JSON object.") var json = false
    @Option(help: "Run this many times.") var times = 1
    @Option(help: "Milliseconds between runs.") var pause = 0

    func run() async throws {
        let config = try options.load()
        let (name, times, pause) = (self.name, self.times, self.pause)
        let report = await OffPool.run { OneShotRunner.run(config: config, checkName: name, times: times, pauseMillis: pause) }
        say(json ? report.json.serialized(pretty: true) : report.text(format: HumanFormat(now: WallClock.now())), terminator: json ? "\n" : "")
        if !report.errors.isEmpty { throw ExitCode(1) }
    }
}
