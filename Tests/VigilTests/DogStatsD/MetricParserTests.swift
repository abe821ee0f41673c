import Testing
import VigilAggregation
@testable import VigilDogStatsD
@testable import VigilDogStatsDProtocol

@Suite struct MetricParserTests {
    func parse(_ text: String) -> Result<(name: String, values: String, type: DogStatsDMetricType, rate: Double,
                                          tags: String, ts: Int64?, container: String), ParseErrorReason> {
        withPacket(text) { buf, line in
            var m = ParsedMetric()
            if let reason = MetricParser.parse(buf, line, into: &m) { return .failure(reason) }
            return .success((buf.string(m.name), buf.string(m.values), m.type, m.sampleRate, buf.string(m.tags),
                             m.timestamp, buf.string(m.containerID)))
        }
    }

    @Test func everyFieldOfAMetric() throws {
        let m = try parse("page.views:1.5|c|@0.25|#env:prod,team:a|T1700000000|c:abc123").get()
        #expect(m.name == "page.views")
        #expect(m.values == "1.5")
        #expect(m.type == .count)
        #expect(m.rate == 0.25)
        #expect(m.tags == "env:prod,team:a")
        #expect(m.ts == 1_700_000_000)
        #expect(m.container == "abc123")
    }

    @Test(arguments: [("g", DogStatsDMetricType.gauge), ("c", .count), ("h", .histogram), ("d", .distribution),
                      ("s", .set), ("ms", .timer)])
    func types(letter: String, type: DogStatsDMetricType) throws {
        #expect(try parse("x:1|\(letter)").get().type == type)
    }

    @Test func multipleValuesStayTogether() throws {
        #expect(try parse("lat:1:2:3.5|h").get().values == "1:2:3.5")
    }

    @Test func unknownFieldsAreIgnored() throws {
        let m = try parse("x:1|g|e:it-false,cn-a|#a").get()
        #expect(m.tags == "a")
    }

    @Test(arguments: [
        ("", ParseErrorReason.missingValue), ("name", .missingValue), (":1|c", .emptyName), ("x:|c", .missingValue),
        ("x:1", .missingType), ("x:1|", .missingType), ("x:1|q", .unknownType), ("x:1|c|@0", .invalidSampleRate),
        ("x:1|c|@1.5", .invalidSampleRate), ("x:1|c|@abc", .invalidSampleRate), ("x:1|g|Tsoon", .invalidTimestamp),
        ("x|c", .missingValue),
    ])
    func malformedMessagesGiveAReason(text: String, reason: ParseErrorReason) {
        #expect(throws: reason) { try parse(text).get() }
    }

    @Test func numbers() {
        func d(_ s: String) -> Double? { Array(s.utf8).withUnsafeBytes { NumberParsing.double($0) } }
        #expect(d("42") == 42)
        #expect(d("-3.25") == -3.25)
        #expect(d("+7") == 7)
        #expect(d("0.1") == 0.1)
        #expect(d("1e3") == 1000)
        #expect(d("2.5E-2") == 0.025)
        #expect(d("123456789012345678901") == 123456789012345678901.0)
        #expect(d(".5") == 0.5)
        #expect(d("nan") == nil)
        #expect(d("inf") == nil)
        #expect(d("0x10") == nil)
        #expect(d("1.2.3") == nil)
        #expect(d("") == nil)
        #expect(d("-") == nil)
        #expect(d("1e999") == nil)
    }
}
