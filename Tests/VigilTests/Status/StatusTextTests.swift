import Testing
import VigilModel
import VigilStatus

@Suite struct StatusTextTests {
    @Test func parsesJSONKeepingKeyOrder() throws {
        let value = try JSONText.parse(#" {"z": 1, "a": [true, null, -2.5e1, "x\"\u00e9\ud83d\ude00"], "m": {}} "#)
        #expect(value == .object([("z", 1), ("a", .array([true, .null, .double(-25), "x\"é😀"])), ("m", .object([]))]))
        #expect(throws: JSONText.ParseError.self) { try JSONText.parse(#"{"a": }"#) }
        #expect(throws: JSONText.ParseError.self) { try JSONText.parse("[1] 2") }
    }

    @Test func roundTripsWhatTheAgentSerializes() throws {
        let document: JSONValue = .object([("version", "0.1.0"), ("checks", .array([.object([("name", "cpu"), ("runs", 4)])]))])
        #expect(try JSONText.parse(document.serialized(pretty: true)) == document)
    }

    @Test func rendersSectionsForPeople() {
        let document: JSONValue = .object([
            ("version", "0.1.0"),
            ("modules", .array(["cgroup", "network"])),
            ("forwarder", .object([("mode", "local"), ("points_stored", 12)])),
            ("checks", .array([.object([("name", "cpu"), ("runs", 4)])])),
            ("tags", .array([])),
        ])
        #expect(StatusText.render(document, format: HumanFormat(now: 0)) == """
            version: 0.1.0
            modules: cgroup, network
            forwarder:
              mode: local
              points_stored: 12
            checks:
              - name: cpu
                runs: 4
            tags: (none)

            """)
    }
}
