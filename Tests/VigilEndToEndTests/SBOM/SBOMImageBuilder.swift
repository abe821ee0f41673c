import Foundation

/// Builds OCI images layer by layer with umoci, so that images share layers exactly (one
/// layout, several tags) and deletions become real whiteouts (umoci writes them on repack).
struct SBOMImageBuilder {
    let work: URL
    var layout: String { work.appendingPathComponent("layout").path }

    init() throws {
        work = URL(fileURLWithPath: "/tmp/vigil-sbom-images-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try Subprocess.run("umoci", ["init", "--layout", layout])
    }

    func remove() { try? FileManager.default.removeItem(at: work) }

    /// A change to the filesystem: files to write (path → content) and paths to delete.
    struct Change {
        var files: [String: String] = [:]
        var deletions: [String] = []
        var busybox = false
    }

    /// Tag `tag` = tag `from` (or an empty image) plus one layer per change.
    func image(_ tag: String, from: String? = nil, _ changes: [Change]) throws {
        if let from {
            try Subprocess.run("umoci", ["tag", "--image", "\(layout):\(from)", tag])
        } else {
            try Subprocess.run("umoci", ["new", "--image", "\(layout):\(tag)"])
        }
        for change in changes {
            let bundle = work.appendingPathComponent("bundle-\(UUID().uuidString.prefix(6))").path
            try Subprocess.run("umoci", ["unpack", "--image", "\(layout):\(tag)", bundle], timeout: 60)
            let root = bundle + "/rootfs"
            for (path, content) in change.files {
                let url = URL(fileURLWithPath: root + "/" + path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(content.utf8).write(to: url)
            }
            for path in change.deletions { try FileManager.default.removeItem(atPath: root + "/" + path) }
            if change.busybox {
                try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: root + "/bin/busybox")
                for applet in ["sh", "sleep"] {
                    try FileManager.default.createSymbolicLink(atPath: "\(root)/bin/\(applet)", withDestinationPath: "busybox")
                }
            }
            try Subprocess.run("umoci", ["repack", "--image", "\(layout):\(tag)", bundle], timeout: 60)
            try? FileManager.default.removeItem(atPath: bundle)
        }
        try Subprocess.run("umoci", ["config", "--image", "\(layout):\(tag)", "--config.cmd", "/bin/sh"])
    }

    /// An archive of the layout holding only `tags` (ctr imports every tag in an archive).
    func archive(_ tags: [String]) throws -> URL {
        let copy = work.appendingPathComponent("export-\(UUID().uuidString.prefix(6))")
        try Subprocess.run("cp", ["-a", layout, copy.path])
        let all = try Subprocess.run("umoci", ["ls", "--layout", copy.path]).stdout.split(separator: "\n").map(String.init)
        for tag in all where !tags.contains(tag) { try Subprocess.run("umoci", ["rm", "--image", "\(copy.path):\(tag)"]) }
        try Subprocess.run("umoci", ["gc", "--layout", copy.path])
        let archive = work.appendingPathComponent("\(tags.joined(separator: "-"))-\(UUID().uuidString.prefix(4)).tar")
        try Subprocess.run("tar", ["-C", copy.path, "-cf", archive.path, "."], timeout: 60)
        return archive
    }

    /// The layer digests of a tag's manifest, bottom first.
    func layers(_ tag: String) throws -> [String] {
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: layout + "/index.json"))) as! [String: Any]
        let manifests = index["manifests"] as! [[String: Any]]
        let entry = manifests.first { ($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] == tag }!
        let digest = (entry["digest"] as! String).replacingOccurrences(of: "sha256:", with: "")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: layout + "/blobs/sha256/" + digest))) as! [String: Any]
        return (manifest["layers"] as! [[String: Any]]).map { $0["digest"] as! String }
    }
}
