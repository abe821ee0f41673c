import Foundation
import VigilConfig
import VigilModel
@testable import VigilDogStatsD
@testable import VigilDogStatsDProtocol

/// A server with no sockets, fed through `ingest`.
func makeOfflineServer(_ extraYAML: String = "", tagProvider: TagProvider? = nil) throws -> DogStatsDServer {
    let yaml = "dogstatsd_socket: \"\"\ndogstatsd_port: 0\n" + extraYAML
    let config = try AgentConfig.fromYAML(yaml, baseDirectory: NSTemporaryDirectory())
    return try DogStatsDServer(config: config, hostname: "testhost", tagProvider: tagProvider)
}

extension DogStatsDServer {
    func ingest(_ text: String, pid: Int32 = -1, now: Double) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { ingest(UnsafeRawBufferPointer($0), pid: pid, now: now) }
    }
}

/// Runs `body` on the bytes of `text` as a packet buffer.
func withPacket<T>(_ text: String, _ body: (UnsafeRawBufferPointer, ByteRange) -> T) -> T {
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBytes { body($0, ByteRange(start: 0, end: $0.count)) }
}

/// A tagger stand-in with a fixed table: the real tagger belongs to the
/// workload store, which these unit tests do not start.
struct TableTagProvider: TagProvider {
    var tagsByEntity: [String: [String]]
    var containersByCgroup: [String: String] = [:]

    func tags(forEntity entityID: String, cardinality: TagCardinality) -> [String]? { tagsByEntity[entityID] }
    func containerID(forCgroupPath path: String) -> String? { containersByCgroup[path] }
}

extension FlushBatch {
    func series(named name: String) -> [Series] { series.filter { $0.name == name } }
}
