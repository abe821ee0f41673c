import Foundation

/// Reads conf.d in the Datadog layout: `<check>.d/*.yaml` and `<check>.yaml`.
/// A file that fails to parse is reported and skipped; the others still load.
public enum ConfDirectory {
    public struct Result: Sendable {
        public var configs: [CheckConfig] = []
        public var errors: [ConfigError] = []
    }

    public static func load(paths: [String]) -> Result {
        var result = Result()
        let fm = FileManager.default
        for dir in paths {
            guard let entries = try? fm.contentsOfDirectory(atPath: dir) else { continue }
            for entry in entries.sorted() {
                let full = dir + "/" + entry
                var isDir: ObjCBool = false
                guard fm.fileExists(atPath: full, isDirectory: &isDir) else { continue }
                if isDir.boolValue {
                    guard entry.hasSuffix(".d") else { continue }
                    let check = String(entry.dropLast(2))
                    let files = ((try? fm.contentsOfDirectory(atPath: full)) ?? []).filter(isYAML).sorted()
                    for file in files { loadFile(full + "/" + file, check: check, into: &result) }
                } else if isYAML(entry) {
                    let check = String(entry[..<entry.lastIndex(of: ".")!])
                    loadFile(full, check: check, into: &result)
                }
            }
        }
        return result
    }

    static func isYAML(_ name: String) -> Bool { name.hasSuffix(".yaml") || name.hasSuffix(".yml") }

    static func loadFile(_ path: String, check: String, into result: inout Result) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            result.errors.append(ConfigError(file: path, line: 0, column: 0, reason: "cannot read file"))
            return
        }
        do {
            let root = try YAMLLoader.load(text, file: path)
            let (config, errors) = CheckConfig.parseReportingAll(root, checkName: check, file: path)
            if let config { result.configs.append(config) }
            result.errors += errors
        } catch {
            result.errors.append(error)
        }
    }
}
