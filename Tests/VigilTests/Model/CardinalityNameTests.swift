import Testing
import VigilModel

/// The one parser of cardinality names, shared by the configuration,
/// `|card:` and `dd.internal.card:`: the reference's names, in any case.
@Suite struct CardinalityNameTests {
    @Test(arguments: [
        ("none", OriginCardinality.none), ("NONE", .none), ("low", .tags(.low)), ("Low", .tags(.low)),
        ("orchestrator", .tags(.orchestrator)), ("ORCHESTRATOR", .tags(.orchestrator)), ("orch", .tags(.orchestrator)),
        ("Orch", .tags(.orchestrator)), ("high", .tags(.high)), ("HIGH", .tags(.high)),
    ])
    func knownNames(name: String, expected: OriginCardinality) {
        #expect(OriginCardinality(name: name) == expected)
    }

    @Test(arguments: ["", "lo", "lowx", "orc", "orchestrators", "h1gh", "n0ne", "medium", " low"])
    func otherNamesAreRefused(name: String) {
        #expect(OriginCardinality(name: name) == nil)
        #expect(TagCardinality(name: name) == nil)
    }

    @Test func configurationCardinalityHasNoNone() {
        #expect(TagCardinality(name: "none") == nil)
        #expect(TagCardinality(name: "ORCH") == .orchestrator)
        #expect(TagCardinality(name: "High") == .high)
    }
}
