import Testing
import VigilModel
@testable import VigilDogStatsD
@testable import VigilDogStatsDProtocol

/// The `|c:` field in the forms the reference's `ParseLocalData` reads:
/// current clients send `ci-<container id>` (with `,in-<inode>` when they
/// know their cgroup inode), APM's older `cid-<id>`, old DogStatsD clients
/// the bare id. Each names the container whose tags the message gets.
@Suite struct LocalDataConformanceTests {
    let id = String(repeating: "c", count: 64)

    @Test func everyFormNamesTheContainer() throws {
        let (_, tagger) = try Conformance.taggerWithOnePod()
        let server = try makeOfflineServer("dogstatsd_tag_cardinality: high\n", tagProvider: tagger)
        let batch = Conformance.flush(server, """
            a:1|g|c:ci-\(id)
            b:1|g|c:cid-\(id)
            c:1|g|c:\(id)
            d:1|g|c:in-12345,ci-\(id)
            e:1|g|c:in-12345
            _e{1,1}:t|x|c:ci-\(id)
            """)
        for name in ["a", "b", "c", "d"] {
            #expect(batch.series(named: name).first?.tags.contains("container_id:\(id)") == true, "\(name)")
        }
        #expect(batch.series(named: "e").first?.tags == [])
        #expect(batch.events.first?.tags.contains("container_name:web") == true)
    }

    @Test func parser() {
        func id(_ field: String) -> String {
            withPacket(field) { buf, r in buf.string(LocalData.containerID(buf, r)) }
        }
        #expect(id("ci-abc") == "abc")
        #expect(id("cid-abc") == "abc")
        #expect(id("abc") == "abc")
        #expect(id("in-42") == "")
        #expect(id("in-42,ci-abc") == "abc")
        #expect(id("ci-abc,in-42") == "abc")
        #expect(id("x,y") == "")
        #expect(id("") == "")
    }
}
