import Testing
@testable import VigilForwarding

/// What a full disk refused waits here: in order, within its bound, the
/// oldest dropped first and counted.
@Suite struct UnstoredBufferTests {
    @Test func keepsOrderAndDropsTheOldestBeyondTheBound() {
        var buffer = UnstoredBuffer<String>(maxBytes: 10)
        #expect(buffer.hold(["aaaa", "bbbb"]) { $0.count } == 0)
        #expect(buffer.bytes == 8)
        // Taken to be stored again, refused again, with a newer flush behind.
        let retaken = buffer.take()
        #expect(buffer.isEmpty && buffer.bytes == 0)
        #expect(buffer.hold(retaken + ["cccc"]) { $0.count } == 1)
        #expect(buffer.take() == ["bbbb", "cccc"])
        #expect(buffer.dropped == 1)
        buffer.noteRecovered(2)
        #expect(buffer.summary.recovered == 2 && buffer.summary.dropped == 1 && buffer.summary.count == 0)
    }

    @Test func oneElementLargerThanTheBoundIsDroppedNotKept() {
        var buffer = UnstoredBuffer<String>(maxBytes: 3)
        #expect(buffer.hold(["toolarge"]) { $0.count } == 1)
        #expect(buffer.isEmpty && buffer.bytes == 0)
    }
}
