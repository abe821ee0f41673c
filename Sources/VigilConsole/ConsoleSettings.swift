import VigilConfig

/// The console's keys in vigil.yaml.
public struct ConsoleSettings: Sendable, Equatable {
    /// `console` (default true): serve the console on `cmd_address`.
    public var enabled: Bool
    /// `console_allow_remote` (default false): answer browsers on other
    /// hosts when `cmd_address` is not a loopback address. Off, the console
    /// answers loopback peers only, whatever the status API listens on.
    public var allowRemote: Bool
    /// The flush interval: data changes no more often, so pages refresh no more often.
    public var refreshSeconds: Int
    /// Where Debian's libjs-dygraphs puts the library.
    public var chartLibraryDirectory: String
    /// The status server speaks TLS: the session cookie is marked Secure.
    public var secureCookies = false

    public static let debianDygraphs = "/usr/share/javascript/dygraphs"

    public init(enabled: Bool = true, allowRemote: Bool = false, refreshSeconds: Int = 15,
                chartLibraryDirectory: String = ConsoleSettings.debianDygraphs) {
        self.enabled = enabled
        self.allowRemote = allowRemote
        self.refreshSeconds = max(1, refreshSeconds)
        self.chartLibraryDirectory = chartLibraryDirectory
    }

    public init(config: AgentConfig) {
        self.init(enabled: config.bool("console") ?? true, allowRemote: config.bool("console_allow_remote") ?? false,
                  refreshSeconds: config.flushInterval)
        secureCookies = config.string("cmd_tls_cert_file") != nil
    }
}
