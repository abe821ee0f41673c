import Foundation
import VigilConfig
import VigilModel
import VigilWorkload
@testable import VigilDogStatsD

/// The conformance suites feed the real intake (parser, origin resolution,
/// sampler) packets the way a client would, then assert what a flush
/// stores. Each file covers one item of issue 14, written from the
/// reference agent's behaviour (DataDog/datadog-agent, comp/dogstatsd/server).
enum Conformance {
    /// A bucket boundary.
    static let t0 = 1_700_000_000.0

    /// A real tagger over a real workload store holding one Kubernetes pod's
    /// container (uid `pod-uid-1`, pod `web-0` in namespace `shop`), as
    /// containerd's CRI plugin labels it.
    static func taggerWithOnePod() throws -> (WorkloadStore, Tagger) {
        let store = WorkloadStore()
        let tagger = Tagger(store: store, config: try AgentConfig.fromYAML("", baseDirectory: "/"))
        store.publish(.container(Container(id: String(repeating: "c", count: 64), name: "web", namespace: "k8s.io",
                                           labels: ["io.kubernetes.pod.uid": "pod-uid-1",
                                                    "io.kubernetes.pod.name": "web-0",
                                                    "io.kubernetes.pod.namespace": "shop"])),
                      source: "containerd")
        return (store, tagger)
    }

    /// Ingests `text` as one packet at `t0` and flushes the closed bucket.
    static func flush(_ server: DogStatsDServer, _ text: String) -> FlushBatch {
        server.ingest(text, now: t0 + 1)
        return server.flush(now: t0 + 10, force: false)
    }
}

extension FlushBatch {
    /// The first point of the only series named `name`, or nil.
    func value(_ name: String) -> Double? {
        let found = series(named: name)
        return found.count == 1 ? found[0].points.first?.value : nil
    }
}
