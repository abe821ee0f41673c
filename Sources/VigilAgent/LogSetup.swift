import Foundation
import Logging

/// One logging setup for the whole process: lines to standard error, so
/// that commands printing JSON keep standard output clean.
public enum LogSetup {
    nonisolated(unsafe) private static var done = false

    public static func bootstrap(level: String) {
        guard !done else { return }
        done = true
        let parsed = Logger.Level(rawValue: level.lowercased()) ?? (level.lowercased() == "warn" ? .warning : .info)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = parsed
            return handler
        }
    }
}
