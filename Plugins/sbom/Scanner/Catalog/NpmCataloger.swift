import FoundationEssentials

/// npm packages: every `package.json` that names itself and its version, as syft reads them.
enum NpmCataloger {
    private struct Manifest: Decodable {
        var name: String?
        var version: String?
        var license: LicenseField?
        var licenses: [LicenseField]?

        init(from decoder: Decoder) throws {
            let object = try decoder.container(keyedBy: Key.self)
            name = try? object.decode(String.self, forKey: .name)
            version = try? object.decode(String.self, forKey: .version)
            license = try? object.decode(LicenseField.self, forKey: .license)
            licenses = try? object.decode([LicenseField].self, forKey: .licenses)
        }

        enum Key: String, CodingKey { case name, version, license, licenses }
    }

    /// "MIT", or the older {"type": "MIT", "url": …}.
    private struct LicenseField: Decodable {
        var text: String

        init(from decoder: Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                self.text = text
                return
            }
            let object = try decoder.container(keyedBy: Key.self)
            text = try object.decode(String.self, forKey: .type)
        }

        enum Key: String, CodingKey { case type }
    }

    static func packages(_ content: [UInt8], path: String, layer: String) -> [FoundPackage] {
        guard let manifest = try? JSONDecoder().decode(Manifest.self, from: Data(content)),
              let name = manifest.name, !name.isEmpty,
              let version = manifest.version, !version.isEmpty else { return [] }
        let licenses = (manifest.license.map { [$0.text] } ?? []) + (manifest.licenses ?? []).map(\.text)
        return [FoundPackage(name: name, version: version, type: .npm, licenses: licenses.filter { !$0.isEmpty },
                             path: path, layer: layer)]
    }
}
