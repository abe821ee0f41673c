import ArgumentParser
import CVigilModule
import VigilModel

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")

    func run() {
        say("vigil \(VigilVersion.string) (module ABI \(VIGIL_ABI_MAJOR).\(VIGIL_ABI_MINOR))")
    }
}
