import Testing
import VigilModel
@testable import VigilDogStatsD

/// Issue 14, item 9. In the reference, `m:` is an optional field like the
/// others: it ends at the next `|`, and a `|#tags` (or any field) after it
/// is read as usual. The protocol documentation asks clients to put `m:`
/// last; the reference does not rely on it.
@Suite struct ServiceCheckMessageConformanceTests {
    @Test func tagsAfterTheMessage() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "_sc|db.up|2|m:disk full|#env:prod,host:db2")
        let check = try #require(batch.serviceChecks.first)
        #expect(check.message == "disk full")
        #expect(check.tags == ["env:prod"])
        #expect(check.host == "db2")
        #expect(check.status == .critical)
    }

    @Test func fieldsAfterTheMessage() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "_sc|db.up|0|m:fine|d:1600000000|h:db3")
        let check = try #require(batch.serviceChecks.first)
        #expect(check.message == "fine")
        #expect(check.timestamp == 1_600_000_000)
        #expect(check.host == "db3")
    }

    @Test func escapedMessageIsRestored() throws {
        let batch = Conformance.flush(try makeOfflineServer(), "_sc|x|1|#a|m:see m\\: line1\\nline2")
        let check = try #require(batch.serviceChecks.first)
        #expect(check.message == "see m: line1\nline2")
        #expect(check.tags == ["a"])
    }
}
