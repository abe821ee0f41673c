import Foundation

/// Writes an OCI archive holding `images` distinct images (one shared tiny layer, a
/// config and a manifest each) and `references` names per image, so that a single
/// `ctr images import --no-unpack` creates every image record in one pass. This is the
/// benchmark's writer; the module under test only reads.
enum SyntheticImages {
    /// Python's hashlib keeps this short; blobs are content-addressed by SHA-256.
    static let generator = #"""
import hashlib, io, json, os, sys, tarfile
root, first, count, refs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
blobs = os.path.join(root, "blobs", "sha256")
os.makedirs(blobs)
def put(data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, digest), "wb") as f:
        f.write(data)
    return "sha256:" + digest, len(data)
buffer = io.BytesIO()
with tarfile.open(fileobj=buffer, mode="w") as tar:
    payload = b"vigil benchmark layer\n"
    info = tarfile.TarInfo("hello")
    info.size = len(payload)
    tar.addfile(info, io.BytesIO(payload))
layer_digest, layer_size = put(buffer.getvalue())
entries = []
for i in range(first, first + count):
    config = json.dumps({"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
                         "config": {"Labels": {"vigil.bench.index": str(i)}},
                         "rootfs": {"type": "layers", "diff_ids": [layer_digest]}}).encode()
    config_digest, config_size = put(config)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": config_digest, "size": config_size},
                           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                                       "digest": layer_digest, "size": layer_size}]}).encode()
    manifest_digest, manifest_size = put(manifest)
    for k in range(refs):
        if k == refs - 1 and refs > 1:
            name = "bench.example/team%d/img%d@%s" % (i % 50, i, manifest_digest)
        else:
            name = "bench.example/team%d/img%d:v%d" % (i % 50, i, k)
        entries.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest,
                        "size": manifest_size, "annotations": {"io.containerd.image.name": name}})
with open(os.path.join(root, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": entries}, f)
with open(os.path.join(root, "oci-layout"), "w") as f:
    f.write('{"imageLayoutVersion": "1.0.0"}')
"""#

    /// Writes images number `first` ..< `first + images`; returns the archive path.
    static func write(first: Int, images: Int, references: Int, in directory: URL) throws -> URL {
        let layout = directory.appendingPathComponent("layout-\(first)")
        try run("/usr/bin/python3", ["-c", generator, layout.path, String(first), String(images), String(references)])
        let archive = directory.appendingPathComponent("images-\(first).tar")
        try run("/usr/bin/tar", ["-C", layout.path, "-cf", archive.path, "."])
        try? FileManager.default.removeItem(at: layout)
        return archive
    }

    private static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("\(executable) failed with \(process.terminationStatus)") }
    }
}
