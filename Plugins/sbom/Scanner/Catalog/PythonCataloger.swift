/// Installed Python distributions: `*.dist-info/METADATA` (wheels) and `*.egg-info`
/// (a PKG-INFO inside the folder, or the file itself), in the core metadata format.
enum PythonCataloger {
    static func packages(_ text: String, path: String, layer: String) -> [FoundPackage] {
        guard let fields = Stanzas.parse(text, stopAtBody: true).first,
              let name = fields.first("Name"), !name.isEmpty else { return [] }
        return [FoundPackage(name: name, version: fields.first("Version") ?? "", type: .python,
                             licenses: licenses(fields), path: path, layer: layer)]
    }

    /// License-Expression (PEP 639) first, then a short License field, then trove classifiers.
    static func licenses(_ fields: [(key: String, value: String)]) -> [String] {
        if let expression = fields.first("License-Expression"), !expression.isEmpty { return [expression] }
        if let license = fields.first("License"), !license.isEmpty, license != "UNKNOWN",
           !license.contains("\n"), license.count <= 64 { return [license] }
        return fields.all("Classifier").compactMap { classifier in
            guard classifier.hasPrefix("License ::") else { return nil }
            return classifier.split(separator: ":").last.map { $0.trimmed }
        }.filter { !$0.isEmpty && $0 != "OSI Approved" }
    }
}
