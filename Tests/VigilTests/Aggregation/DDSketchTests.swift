import Foundation
import Testing
import VigilAggregation
import VigilModel

@Suite struct DDSketchTests {
    @Test func keysFollowTheAgentMapping() {
        // Bias and γ as the Agent derives them from eps = 1/128 and min 1e-9.
        #expect(DDSketchMapping.bias == 1338)
        #expect(DDSketchMapping.key(0) == 0)
        #expect(DDSketchMapping.key(1e-12) == 0)
        #expect(DDSketchMapping.key(1) == Int32(DDSketchMapping.bias))
        #expect(DDSketchMapping.key(-1) == -Int32(DDSketchMapping.bias))
        #expect(DDSketchMapping.key(.greatestFiniteMagnitude) == DDSketchMapping.maxKey)
        for v in [0.001, 0.5, 3.0, 1234.5, 9e9] {
            let bound = DDSketchMapping.lowerBound(key: DDSketchMapping.key(v))
            #expect(abs(bound - v) / v <= 1.0 / 128 + 1e-12)
        }
    }

    @Test func quantilesWithinRelativeAccuracy() throws {
        var sketch = DDSketch()
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = []
        for _ in 0..<20_000 {
            let v = exp(Double.random(in: 0..<12, using: &generator))
            values.append(v)
            sketch.insert(v)
        }
        values.sort()
        let point = sketch.point(timestamp: 0)
        #expect(point.count == 20_000)
        #expect(point.keys == point.keys.sorted())
        for q in [0.1, 0.5, 0.9, 0.99] {
            let exact = values[Int((q * Double(values.count - 1)).rounded())]
            #expect(abs(point.quantile(q) - exact) / exact < 0.02, "q=\(q)")
        }
    }

    @Test func weightsCountAsRepeats() {
        var sketch = DDSketch()
        sketch.insert(10, weight: 4)
        sketch.insert(.nan)
        let point = sketch.point(timestamp: 7)
        #expect(point.count == 4 && point.sum == 40 && point.average == 10)
        #expect(point.binCounts == [4])
        #expect(point.timestamp == 7)
    }
}
