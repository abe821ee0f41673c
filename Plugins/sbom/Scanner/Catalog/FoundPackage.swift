/// Ecosystems, named as syft names its package types so that the two compare directly.
public enum PackageType: String, Codable, Sendable, CaseIterable {
    case deb, apk, rpm, python, npm
    case goModule = "go-module"
    case javaArchive = "java-archive"
}

/// A package as one cataloger found it in one file of one layer.
public struct FoundPackage: Codable, Sendable, Hashable {
    public var name: String
    public var version: String
    public var type: PackageType
    /// SPDX ids or expressions, or free text when the database records no id.
    public var licenses: [String]
    /// The file it was found in, relative to the root ("var/lib/dpkg/status").
    public var path: String
    /// The layer's diff id (uncompressed digest), or "" for a folder scan.
    public var layer: String
    /// Ecosystem details the package URL needs: architecture, Maven group, Go main module, upstream source.
    public var architecture: String
    public var group: String
    public var sourceName: String

    public init(name: String, version: String, type: PackageType, licenses: [String] = [], path: String,
                layer: String = "", architecture: String = "", group: String = "", sourceName: String = "") {
        self.name = name
        self.version = version
        self.type = type
        self.licenses = licenses
        self.path = path
        self.layer = layer
        self.architecture = architecture
        self.group = group
        self.sourceName = sourceName
    }

    /// The package URL (github.com/package-url/purl-spec), written the way syft writes it
    /// so that identities match across tools.
    public func purl(os: OSRelease?) -> String {
        let distro = os.map { "\($0.id)-\($0.versionID)" }
        switch type {
        case .deb:
            var qualifiers: [(String, String)] = []
            if !architecture.isEmpty { qualifiers.append(("arch", architecture)) }
            if let distro { qualifiers.append(("distro", distro)) }
            if !sourceName.isEmpty && sourceName != name { qualifiers.append(("upstream", sourceName)) }
            return PackageURL.make(type: "deb", namespace: os?.id ?? "debian", name: name, version: version, qualifiers: qualifiers)
        case .apk:
            var qualifiers: [(String, String)] = []
            if !architecture.isEmpty { qualifiers.append(("arch", architecture)) }
            if let distro { qualifiers.append(("distro", distro)) }
            if !sourceName.isEmpty && sourceName != name { qualifiers.append(("upstream", sourceName)) }
            return PackageURL.make(type: "apk", namespace: os?.id ?? "alpine", name: name, version: version, qualifiers: qualifiers)
        case .rpm:
            var qualifiers: [(String, String)] = []
            if !architecture.isEmpty { qualifiers.append(("arch", architecture)) }
            if let distro { qualifiers.append(("distro", distro)) }
            return PackageURL.make(type: "rpm", namespace: os?.id ?? "", name: name, version: version, qualifiers: qualifiers)
        case .python:
            return PackageURL.make(type: "pypi", namespace: "", name: name, version: version)
        case .npm:
            // A scoped name "@scope/name" is namespace "@scope" and name "name".
            if name.hasPrefix("@"), let slash = name.firstIndex(of: "/") {
                return PackageURL.make(type: "npm", namespace: String(name[..<slash]),
                                       name: String(name[name.index(after: slash)...]), version: version)
            }
            return PackageURL.make(type: "npm", namespace: "", name: name, version: version)
        case .goModule:
            let parts = name.split(separator: "/")
            let namespace = parts.dropLast().joined(separator: "/")
            return PackageURL.make(type: "golang", namespace: namespace, name: String(parts.last ?? ""), version: version)
        case .javaArchive:
            return PackageURL.make(type: "maven", namespace: group, name: name, version: version)
        }
    }
}

/// Package URL text: percent-encoding as the purl spec requires.
enum PackageURL {
    static func make(type: String, namespace: String, name: String, version: String,
                     qualifiers: [(String, String)] = []) -> String {
        var text = "pkg:\(type)/"
        if !namespace.isEmpty {
            text += namespace.split(separator: "/").map { encode(String($0)) }.joined(separator: "/") + "/"
        }
        text += encode(name)
        if !version.isEmpty { text += "@" + encode(version) }
        if !qualifiers.isEmpty {
            text += "?" + qualifiers.sorted { $0.0 < $1.0 }.map { "\($0.0)=\(encode($0.1))" }.joined(separator: "&")
        }
        return text
    }

    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xf)]], as: UTF8.self)
            }
        }
        return out
    }
}

/// The distribution, from etc/os-release or usr/lib/os-release.
public struct OSRelease: Codable, Sendable, Hashable {
    public var id: String
    public var versionID: String
    public var prettyName: String
    public var name: String

    public init(id: String, versionID: String, prettyName: String, name: String) {
        self.id = id
        self.versionID = versionID
        self.prettyName = prettyName
        self.name = name
    }

    /// Parses os-release's shell-like KEY=value lines.
    public static func parse(_ text: String) -> OSRelease? {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmed
            guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            var value = String(trimmed[trimmed.index(after: equals)...])
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            values[String(trimmed[..<equals])] = value.replacing("\\\"", with: "\"")
        }
        guard let id = values["ID"], !id.isEmpty else { return nil }
        return OSRelease(id: id, versionID: values["VERSION_ID"] ?? "", prettyName: values["PRETTY_NAME"] ?? "",
                         name: values["NAME"] ?? id)
    }
}
