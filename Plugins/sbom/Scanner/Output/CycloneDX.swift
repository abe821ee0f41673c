import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// What a bill of materials describes: an image (with its references) or a host or folder.
public struct BOMSubject: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable { case image, host, folder }
    public var kind: Kind
    /// The image id (config digest), the hostname, or the folder's path.
    public var id: String
    public var name: String
    public var repoTags: [String]
    public var repoDigests: [String]

    public init(kind: Kind, id: String, name: String, repoTags: [String] = [], repoDigests: [String] = []) {
        self.kind = kind
        self.id = id
        self.name = name
        self.repoTags = repoTags
        self.repoDigests = repoDigests
    }
}

/// The packages of a squashed filesystem, ready to write.
public struct BillOfMaterials: Sendable {
    public var subject: BOMSubject
    public var os: OSRelease?
    public var packages: [FoundPackage]

    /// Packages from the squashed view, with Debian licenses joined from their copyright files.
    public init(subject: BOMSubject, view: [String: FileFindings]) {
        self.subject = subject
        os = view["etc/os-release"]?.os ?? view["usr/lib/os-release"]?.os
        var debianLicenses: [String: [String]] = [:]
        for findings in view.values { if let name = findings.licensedPackage { debianLicenses[name] = findings.licenses } }
        var packages: [FoundPackage] = []
        for (_, findings) in view.sorted(by: { $0.key < $1.key }) {
            for var package in findings.packages {
                if package.type == .deb, package.licenses.isEmpty, let licenses = debianLicenses[package.name] {
                    package.licenses = licenses
                }
                packages.append(package)
            }
        }
        self.packages = packages.sorted { ($0.name, $0.version, $0.type.rawValue, $0.path) < ($1.name, $1.version, $1.type.rawValue, $1.path) }
    }
}

/// CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/).
public enum CycloneDX {
    public static let toolVersion = "1.0.0"

    public static func document(_ bom: BillOfMaterials, generatedAt: Date = Date(), serial: UUID = UUID()) -> [UInt8] {
        var components: [Component] = []
        var usedRefs: Set<String> = []
        func uniqueRef(_ base: String) -> String {
            var ref = base
            var suffix = 1
            while !usedRefs.insert(ref).inserted {
                suffix += 1
                ref = "\(base)#\(suffix)"
            }
            return ref
        }
        if let os = bom.os {
            components.append(Component(
                bomRef: uniqueRef("os:\(os.id)@\(os.versionID)"), type: "operating-system", name: os.id,
                version: os.versionID.isEmpty ? nil : os.versionID,
                description: os.prettyName.isEmpty ? nil : os.prettyName, purl: nil, licenses: nil, properties: nil))
        }
        for package in bom.packages {
            let purl = package.purl(os: bom.os)
            var properties = [Property(name: "vigil:package:type", value: package.type.rawValue),
                              Property(name: "vigil:location:0:path", value: "/" + package.path)]
            if !package.layer.isEmpty { properties.append(Property(name: "vigil:location:0:layerID", value: package.layer)) }
            components.append(Component(
                bomRef: uniqueRef(purl), type: "library", name: package.name,
                version: package.version.isEmpty ? nil : package.version, description: nil, purl: purl,
                licenses: package.licenses.isEmpty ? nil : package.licenses.map { LicenseChoice(license: License(name: $0)) },
                properties: properties))
        }
        let subject = bom.subject
        var subjectProperties: [Property] = []
        for tag in subject.repoTags { subjectProperties.append(Property(name: "vigil:image:repo_tag", value: tag)) }
        for digest in subject.repoDigests { subjectProperties.append(Property(name: "vigil:image:repo_digest", value: digest)) }
        let document = Document(
            bomFormat: "CycloneDX", specVersion: "1.6", serialNumber: "urn:uuid:" + serial.uuidString.lowercased(),
            version: 1,
            metadata: Metadata(
                timestamp: rfc3339(generatedAt),
                tools: Tools(components: [Component(bomRef: nil, type: "application", name: "vigil", version: toolVersion,
                                                    description: nil, purl: nil, licenses: nil, properties: nil)]),
                component: Component(
                    bomRef: "subject", type: subject.kind == .image ? "container" : "file",
                    name: subject.name, version: subject.kind == .image ? subject.id : nil, description: nil,
                    purl: nil, licenses: nil, properties: subjectProperties.isEmpty ? nil : subjectProperties)),
            components: components)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(document))) ?? []
    }

    static func rfc3339(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    private struct Document: Encodable {
        var bomFormat: String
        var specVersion: String
        var serialNumber: String
        var version: Int
        var metadata: Metadata
        var components: [Component]
    }

    private struct Metadata: Encodable {
        var timestamp: String
        var tools: Tools
        var component: Component
    }

    private struct Tools: Encodable { var components: [Component] }

    private struct Component: Encodable {
        var bomRef: String?
        var type: String
        var name: String
        var version: String?
        var description: String?
        var purl: String?
        var licenses: [LicenseChoice]?
        var properties: [Property]?

        enum CodingKeys: String, CodingKey {
            case bomRef = "bom-ref", type, name, version, description, purl, licenses, properties
        }
    }

    private struct LicenseChoice: Encodable { var license: License }
    private struct License: Encodable { var name: String }
    private struct Property: Encodable { var name: String; var value: String }
}

