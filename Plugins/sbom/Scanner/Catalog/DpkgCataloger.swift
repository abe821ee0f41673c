/// dpkg's database: var/lib/dpkg/status (one stanza per package) and, in distroless
/// images, one file per package under var/lib/dpkg/status.d/.
enum DpkgCataloger {
    static func packages(_ text: String, path: String, layer: String) -> [FoundPackage] {
        Stanzas.parse(text).compactMap { fields in
            guard let name = fields.first("Package"), !name.isEmpty else { return nil }
            // Removed packages whose configuration files remain are not installed.
            if let status = fields.first("Status"), status.hasSuffix("not-installed") || status.hasSuffix("config-files") {
                return nil
            }
            var source = fields.first("Source") ?? ""
            // "Source: glibc (2.36-9)": the source name is the first word.
            if let space = source.firstIndex(of: " ") { source = String(source[..<space]) }
            return FoundPackage(name: name, version: fields.first("Version") ?? "", type: .deb, path: path, layer: layer,
                                architecture: fields.first("Architecture") ?? "", sourceName: source)
        }
    }

    /// License names from a machine-readable copyright file ("License: GPL-2+"), first seen first.
    static func copyrightLicenses(_ text: String) -> [String] {
        var seen: Set<String> = []
        var licenses: [String] = []
        for line in text.split(separator: "\n") where line.hasPrefix("License:") {
            let value = line.dropFirst("License:".count).trimmed
            guard !value.isEmpty, !value.contains(" "), seen.insert(value).inserted else { continue }
            licenses.append(value)
        }
        return licenses
    }
}

/// Alpine's database: lib/apk/db/installed, stanzas of one-letter keys.
enum ApkCataloger {
    static func packages(_ text: String, path: String, layer: String) -> [FoundPackage] {
        var packages: [FoundPackage] = []
        var fields: [Character: String] = [:]
        func flush() {
            if let name = fields["P"], !name.isEmpty {
                packages.append(FoundPackage(
                    name: name, version: fields["V"] ?? "", type: .apk,
                    licenses: (fields["L"].map { [$0] } ?? []).filter { !$0.isEmpty },
                    path: path, layer: layer, architecture: fields["A"] ?? "", sourceName: fields["o"] ?? ""))
            }
            fields = [:]
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { flush(); continue }
            guard line.count >= 2, line[line.index(after: line.startIndex)] == ":" else { continue }
            let key = line.first!
            // Per-file lines (F:, R:, Z:, a:, M:) repeat; keep the package-level first value.
            if fields[key] == nil { fields[key] = String(line.dropFirst(2)) }
        }
        flush()
        return packages
    }
}
