import AutoscalingRecommender
import Foundation
import KubernetesAPI
import VigilEntities
import VigilSwiftModuleKit

/// Each run: for every DatadogPodAutoscaler with a CPU or memory utilization
/// objective, the pods of its target on this node (pod entities from the
/// kubernetes module), their containers' usage (their cgroups) and requests
/// (the pod entities) → a horizontal recommendation (`Recommender.horizontal`)
/// and, per container, a vertical one (the 95th percentile of the last
/// `historyLength` usage samples, within the DPA's constraints). Emitted as
/// `autoscaling.recommendation.replicas`, `.cpu_request`, `.memory_request`
/// and kept as `recommendation:*` attributes of the autoscaler entity.
final class LocalRecommendations {
    static let historyLength = 60
    let host: ModuleHost
    let usage: CgroupUsage
    /// container id → recent (cpu cores, memory bytes) samples, oldest first
    private var history: [String: (cpu: [Double], memory: [Double])] = [:]

    init(host: ModuleHost, cgroupRoot: String) {
        self.host = host
        usage = CgroupUsage(root: cgroupRoot)
    }

    /// Recommendation attributes per autoscaler id, and the gauges submitted.
    func run(autoscalers: [DatadogPodAutoscaler]) -> [String: [String: String]] {
        let pods = host.entities(.pod).compactMap { entity -> GenericEntity? in
            if case let .generic(pod) = entity { return pod } else { return nil }
        }
        // Sample every container of every pod of a target once.
        var samples: [String: CgroupUsage.Sample] = [:]
        var seen = Set<String>()
        for dpa in autoscalers {
            for pod in Self.pods(of: dpa, in: pods) {
                for id in PodAttributes.containerIDs(pod.attributes).keys where !seen.contains(id) {
                    seen.insert(id)
                    guard let container = host.entity(.container, id: id)?.container, !container.cgroupPath.isEmpty else { continue }
                    let sample = usage.sample(containerID: id, cgroupPath: container.cgroupPath)
                    samples[id] = sample
                    var h = history[id] ?? ([], [])
                    if let cpu = sample.cpuCores { h.cpu = Array((h.cpu + [cpu]).suffix(Self.historyLength)) }
                    if let memory = sample.memoryBytes { h.memory = Array((h.memory + [memory]).suffix(Self.historyLength)) }
                    history[id] = h
                }
            }
        }
        usage.keep(only: seen)
        history = history.filter { seen.contains($0.key) }

        var gauges: [(name: String, value: Double, tags: [String])] = []
        var out: [String: [String: String]] = [:]
        for dpa in autoscalers {
            let targetPods = Self.pods(of: dpa, in: pods)
            let a = dpa.entity.attributes
            let tags = ["autoscaler:\(dpa.metadata.name)", "kube_namespace:\(dpa.metadata.namespace ?? "default")",
                        "target_kind:\(a[AutoscalerAttributes.targetKind]?.lowercased() ?? "")",
                        "target_name:\(a[AutoscalerAttributes.targetName] ?? "")"]
            var recs: [String: String] = ["recommendation:current_replicas": String(targetPods.count)]
            if !targetPods.isEmpty, let objective = AutoscalerAttributes.objectives(a).first(where: { ["cpu", "memory"].contains($0.resource) }) {
                let podSamples = targetPods.compactMap { pod in Self.podSample(pod, objective: objective, samples: samples) }
                let result = Recommender.horizontal(
                    pods: podSamples, current: targetPods.count, targetPercent: Double(objective.utilization),
                    minReplicas: a[AutoscalerAttributes.minReplicas].flatMap { Int($0) },
                    maxReplicas: a[AutoscalerAttributes.maxReplicas].flatMap { Int($0) })
                recs["recommendation:replicas"] = String(result.replicas)
                recs["recommendation:reason"] = result.reason
                recs["recommendation:resource"] = objective.resource
                if let utilization = result.utilization { recs["recommendation:utilization"] = String(format: "%.1f", utilization * 100) }
                gauges.append(("autoscaling.recommendation.replicas", Double(result.replicas), tags + ["resource:\(objective.resource)"]))
            }
            // Vertical, per container name of the target's pods.
            var byName: [String: (cpu: [Double], memory: [Double])] = [:]
            for pod in targetPods {
                for (id, name) in PodAttributes.containerIDs(pod.attributes) {
                    guard let h = history[id] else { continue }
                    byName[name, default: ([], [])].cpu += h.cpu
                    byName[name, default: ([], [])].memory += h.memory
                }
            }
            for (name, h) in byName.sorted(by: { $0.key < $1.key }) {
                let bound = { (field: String) in a[AutoscalerAttributes.constraint(name, field)].flatMap { Double($0) } }
                if a[AutoscalerAttributes.constraint(name, "enabled")] == "false" { continue }
                if let cpu = Recommender.vertical(usage: h.cpu, minAllowed: bound("min_cpu"), maxAllowed: bound("max_cpu")) {
                    recs["recommendation:\(name):cpu_request"] = Quantity.format((cpu * 1000).rounded() / 1000)
                    gauges.append(("autoscaling.recommendation.cpu_request", cpu, tags + ["kube_container_name:\(name)"]))
                }
                if let memory = Recommender.vertical(usage: h.memory, minAllowed: bound("min_memory"), maxAllowed: bound("max_memory")) {
                    recs["recommendation:\(name):memory_request"] = Quantity.format(memory.rounded())
                    gauges.append(("autoscaling.recommendation.memory_request", memory, tags + ["kube_container_name:\(name)"]))
                }
            }
            out[dpa.entityID] = recs
        }
        host.submitGauges(gauges)
        return out
    }

    /// The target's pods in the DPA's namespace: a Deployment's through their ReplicaSet, others by owner.
    static func pods(of dpa: DatadogPodAutoscaler, in pods: [GenericEntity]) -> [GenericEntity] {
        guard let target = dpa.spec?.targetRef else { return [] }
        let namespace = dpa.metadata.namespace ?? "default"
        return pods.filter { pod in
            let a = pod.attributes
            guard a[PodAttributes.namespace] == namespace, a[PodAttributes.phase] ?? "Running" == "Running" else { return false }
            if target.kind == "Deployment" { return a[PodAttributes.deployment] == target.name }
            return a[PodAttributes.ownerKind] == target.kind && a[PodAttributes.ownerName] == target.name
        }
    }

    /// One pod's request and usage for an objective: every (or the named) container's; usage
    /// only when each of them has a sample. Nil for a pod without a request.
    static func podSample(_ pod: GenericEntity, objective: AutoscalerAttributes.Objective,
                          samples: [String: CgroupUsage.Sample]) -> Recommender.PodSample? {
        let ids = PodAttributes.containerIDs(pod.attributes)
        let names = PodAttributes.containerNames(pod.attributes).filter { objective.container == nil || $0 == objective.container }
        var request = 0.0
        var used: Double? = 0
        for name in names {
            request += pod.attributes[PodAttributes.container(name, "\(objective.resource)_request")].flatMap { Double($0) } ?? 0
            let id = ids.first { $0.value == name }?.key
            let sample = id.flatMap { samples[$0] }
            let value = objective.resource == "cpu" ? sample?.cpuCores : sample?.memoryBytes
            used = value.flatMap { v in used.map { $0 + v } }
        }
        guard request > 0 else { return nil }
        return Recommender.PodSample(request: request, usage: used)
    }
}
