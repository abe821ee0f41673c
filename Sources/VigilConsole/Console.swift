import Foundation
import VigilForwarding
import VigilModel
import VigilStatus

/// The local web console: pages served by the agent itself under
/// `/console` on `cmd_address`, reading only the agent's state and the
/// local store. `register(on:)` is its whole footprint in the status server.
public final class Console: Sendable {
    public let settings: ConsoleSettings
    let sources: ConsoleSources
    let codes = LoginCodes()
    let sessions = Sessions()
    let library: ChartLibrary

    public init(settings: ConsoleSettings, sources: ConsoleSources) {
        self.settings = settings
        self.sources = sources
        library = ChartLibrary(directory: settings.chartLibraryDirectory)
    }

    public static let prefix = "/console"

    public func register(on server: StatusServer) {
        guard settings.enabled else { return }
        server.webRoute(prefix: Self.prefix) { [self] request in
            handle(request, now: Date().timeIntervalSince1970)
        }
    }

    /// A login code without going through HTTP (the benchmark's browser login).
    public func issueLoginCode(now: Double = Date().timeIntervalSince1970) -> String { codes.issue(now: now) }

    public func handle(_ request: WebRequest, now: Double) -> WebResponse {
        ConsoleRouter(console: self, request: request, now: now).answer()
    }
}
