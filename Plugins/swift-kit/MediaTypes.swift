#if canImport(Glibc)
import Glibc
#endif

/// Image media types read from C without a copy per image: the handful every registry uses
/// come back as the same immortal literals (a store of 30,000 images otherwise held 30,000
/// copies of "application/vnd.oci.image.manifest.v1+json", some 2.4 MB); any other is read.
public enum MediaTypes {
    static let wellKnown: [String] = [
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v1+prettyjws",
    ]

    public static func string(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "" }
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self), count: strlen(text))
        for known in wellKnown where known.utf8.count == bytes.count && known.utf8.elementsEqual(bytes) { return known }
        return String(decoding: bytes, as: UTF8.self)
    }
}
