import Testing
import VigilModel
import VigilStatus

@Suite struct AutoscalingTextTests {
    static let listing = JSONValue.array([
        .object([
            ("kind", .string("autoscaler")), ("id", .string("shop/web")),
            ("attributes", .object([
                ("target_kind", .string("Deployment")), ("target_name", .string("web")),
                ("objective:0:type", .string("PodResource")), ("objective:0:resource", .string("cpu")),
                ("objective:0:utilization", .string("70")),
                ("recommendation:current_replicas", .string("4")), ("recommendation:replicas", .string("5")),
                ("recommendation:utilization", .string("90.0")), ("recommendation:reason", .string("scale_up")),
                ("recommendation:app:cpu_request", .string("0.95")), ("recommendation:app:memory_request", .string("134217728")),
            ])),
            ("sources", .array([.string("autoscaling")])),
        ]),
        .object([("kind", .string("autoscaler")), ("id", .string("shop/idle")),
                 ("attributes", .object([("target_kind", .string("StatefulSet")), ("target_name", .string("db"))]))]),
    ])

    @Test func tableHasOneRowPerAutoscaler() {
        let text = AutoscalingText.render(Self.listing)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 3, "\(text)")
        #expect(lines[0].hasPrefix("AUTOSCALER"))
        #expect(lines[1].contains("shop/idle") && lines[1].contains("StatefulSet/db"))
        #expect(lines[2].contains("shop/web") && lines[2].contains("Deployment/web") && lines[2].contains("cpu 70%"))
        #expect(lines[2].contains("90.0%") && lines[2].contains("scale_up") && lines[2].contains("app: cpu 0.95, memory 128 MiB"))
        #expect(AutoscalingText.render(.array([])) == "no DatadogPodAutoscaler known\n")
    }

    @Test func jsonCarriesNumbers() {
        let json = AutoscalingText.json(Self.listing).serialized()
        #expect(json.contains(#""recommended_replicas":5"#), "\(json)")
        #expect(json.contains(#""current_replicas":4"#))
        #expect(json.contains(#""utilization_percent":90"#))
        #expect(json.contains(#""app":{"cpu_request":0.95,"memory_request":134217728"#))
        #expect(json.contains(#""autoscaler":"shop/idle""#) && json.contains(#""recommended_replicas":null"#))
    }
}
