/// Computes an entity's tags from its fields.
struct TagComputer: Sendable {
    /// Kubernetes runtimes label containers with their pod.
    static let podNameLabel = "io.kubernetes.pod.name"
    static let podNamespaceLabel = "io.kubernetes.pod.namespace"
    static let podUIDLabel = "io.kubernetes.pod.uid"

    /// Unified service tagging, as the reference does it: a container's DD_ENV, DD_SERVICE and
    /// DD_VERSION variables, and its com.datadoghq.tags.* labels, are its env, service and version.
    static let unifiedServiceVariables = [("DD_ENV", "env"), ("DD_SERVICE", "service"), ("DD_VERSION", "version")]
    static let unifiedServiceLabels = [("com.datadoghq.tags.env", "env"), ("com.datadoghq.tags.service", "service"),
                                       ("com.datadoghq.tags.version", "version")]

    var rules: TagRules

    func tags(for entity: Entity) -> TagSet? {
        switch entity {
        case let .container(container): tags(for: container)
        case let .image(image): tags(for: image)
        case .generic: nil
        }
    }

    func tags(for container: Container) -> TagSet {
        var set = TagSet()
        if !container.imageRef.isEmpty {
            let reference = ImageReference(container.imageRef)
            set.low.append("image_name:\(reference.name)")
            set.low.append("short_image:\(reference.shortName)")
            if let tag = reference.tag { set.low.append("image_tag:\(tag)") }
        }
        if !container.imageID.isEmpty { set.low.append("image_id:\(container.imageID)") }
        if !container.namespace.isEmpty { set.low.append("container_namespace:\(container.namespace)") }
        if !container.runtime.isEmpty { set.low.append("runtime:\(container.runtime)") }
        if let namespace = container.labels[TagComputer.podNamespaceLabel] { set.low.append("kube_namespace:\(namespace)") }
        for (label, tag) in TagComputer.unifiedServiceLabels {
            if let value = container.labels[label], !value.isEmpty { set.low.append("\(tag):\(value)") }
        }
        for (variable, tag) in TagComputer.unifiedServiceVariables {
            if let value = container.env[variable], !value.isEmpty { set.low.append("\(tag):\(value)") }
        }
        for (label, tag) in rules.labelsAsTags.sorted(by: { $0.key < $1.key }) {
            if let value = container.labels[label] { set.low.append("\(tag):\(value)") }
        }
        for (variable, tag) in rules.envAsTags.sorted(by: { $0.key < $1.key }) {
            if let value = container.env[variable] { set.low.append("\(tag):\(value)") }
        }
        if let pod = container.labels[TagComputer.podNameLabel] { set.orchestrator.append("pod_name:\(pod)") }
        set.high.append("container_id:\(container.id)")
        if !container.name.isEmpty { set.high.append("container_name:\(container.name)") }
        set.low = unique(set.low)
        return set
    }

    /// A pod entity's own tags, at the reference's cardinalities: low
    /// kube_namespace, kube_deployment, kube_replica_set, kube_ownerref_kind,
    /// kube_qos, pod_phase; orchestrator pod_name, kube_ownerref_name.
    func tags(forPod pod: GenericEntity) -> TagSet {
        typealias K = PodAttributes
        let a = pod.attributes
        var set = TagSet()
        if let namespace = a[K.namespace] { set.low.append("kube_namespace:\(namespace)") }
        if let deployment = a[K.deployment] { set.low.append("kube_deployment:\(deployment)") }
        if let replicaSet = a[K.replicaSet] { set.low.append("kube_replica_set:\(replicaSet)") }
        if let kind = a[K.ownerKind] { set.low.append("kube_ownerref_kind:\(kind.lowercased())") }
        if let qos = a[K.qosClass] { set.low.append("kube_qos:\(qos)") }
        if let phase = a[K.phase] { set.low.append("pod_phase:\(phase.lowercased())") }
        if let name = a[K.name] { set.orchestrator.append("pod_name:\(name)") }
        if let owner = a[K.ownerName] { set.orchestrator.append("kube_ownerref_name:\(owner)") }
        return set
    }

    /// A container's tags with those of the pod it belongs to (by container
    /// id), and kube_container_name (low) from the pod's container name.
    func tags(for container: Container, in pod: GenericEntity) -> TagSet {
        var set = tags(for: container)
        let podSet = tags(forPod: pod)
        var low = set.low + podSet.low
        if let name = PodAttributes.containerIDs(pod.attributes)[container.id] { low.append("kube_container_name:\(name)") }
        set.low = unique(low)
        // The pod entity's name wins over the runtime label's (they agree on Kubernetes).
        set.orchestrator = unique(podSet.orchestrator + set.orchestrator.filter { !$0.hasPrefix("pod_name:") })
        return set
    }

    /// A pod's own tags, from what its containers' runtime labels say about
    /// it (Kubernetes runtimes label every container with its pod's uid,
    /// name and namespace): nil while no container of that pod is known.
    func tags(forPodUID uid: String, containers: [Container]) -> TagSet? {
        guard let member = containers.first(where: { $0.labels[TagComputer.podUIDLabel] == uid }) else { return nil }
        var set = TagSet()
        if let namespace = member.labels[TagComputer.podNamespaceLabel] { set.low.append("kube_namespace:\(namespace)") }
        if let pod = member.labels[TagComputer.podNameLabel] { set.orchestrator.append("pod_name:\(pod)") }
        return set
    }

    /// An image carries every name and tag it is known by.
    func tags(for image: Image) -> TagSet {
        var set = TagSet()
        for reference in (image.repoTags + image.repoDigests).map(ImageReference.init) {
            set.low.append("image_name:\(reference.name)")
            set.low.append("short_image:\(reference.shortName)")
            if let tag = reference.tag { set.low.append("image_tag:\(tag)") }
        }
        set.low.append("image_id:\(image.id)")
        if !image.os.isEmpty { set.low.append("os_name:\(image.os)") }
        if !image.architecture.isEmpty { set.low.append("architecture:\(image.architecture)") }
        set.low = unique(set.low)
        return set
    }

    private func unique(_ tags: [String]) -> [String] {
        var seen = Set<String>()
        return tags.filter { seen.insert($0).inserted }
    }
}
