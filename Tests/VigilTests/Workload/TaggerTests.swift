import Foundation
import Testing
import VigilConfig
@testable import VigilWorkload

@Suite struct TaggerTests {
    func sample() -> Entity {
        container("abc") {
            $0.name = "web"
            $0.imageRef = "docker.io/library/redis:7.2"
            $0.imageID = "sha256:cafe"
            $0.labels = ["team": "core", "io.kubernetes.pod.name": "web-0", "unmapped": "x"]
            $0.env = ["DD_ENV": "prod", "SECRET": "s"]
            $0.cgroupPath = "/default/abc"
        }
    }

    @Test func containerTagsPerCardinality() throws {
        let store = WorkloadStore()
        let config = try AgentConfig.fromYAML("""
            container_labels_as_tags:
              team: team
            container_env_as_tags:
              DD_ENV: env
            """, baseDirectory: "/")
        let tagger = Tagger(store: store, config: config)
        store.publish(sample(), source: "containerd")
        let low = try #require(tagger.tags(forEntity: "container_id://abc", cardinality: .low))
        #expect(Set(low) == ["image_name:docker.io/library/redis", "short_image:redis", "image_tag:7.2",
                             "image_id:sha256:cafe", "container_namespace:default", "runtime:containerd",
                             "team:core", "env:prod"])
        let orchestrator = try #require(tagger.tags(forEntity: "container_id://abc", cardinality: .orchestrator))
        #expect(Set(orchestrator) == Set(low).union(["pod_name:web-0"]))
        let high = try #require(tagger.tags(forEntity: "container_id://abc", cardinality: .high))
        #expect(Set(high) == Set(orchestrator).union(["container_id:abc", "container_name:web"]))
        #expect(tagger.tags(forEntity: "container_id://nope", cardinality: .high) == nil)
        #expect(tagger.tags(forEntity: "bogus", cardinality: .high) == nil)
    }

    /// Unified service tagging needs no configuration: DD_ENV/DD_SERVICE/DD_VERSION and the
    /// com.datadoghq.tags.* labels are env, service and version at low cardinality.
    @Test func unifiedServiceTagsFromVariablesAndLabels() throws {
        let store = WorkloadStore()
        let tagger = Tagger(store: store, config: try AgentConfig.fromYAML("", baseDirectory: "/"))
        store.publish(container("by-env") {
            $0.env = ["DD_ENV": "prod", "DD_SERVICE": "web", "DD_VERSION": "1.4", "DD_OTHER": "x"]
        }, source: "containerd")
        store.publish(container("by-label") {
            $0.labels = ["com.datadoghq.tags.env": "staging", "com.datadoghq.tags.service": "api",
                         "com.datadoghq.tags.version": "2", "com.datadoghq.tags.team": "not-unified"]
        }, source: "containerd")
        store.publish(container("empty") { $0.env = ["DD_ENV": ""] }, source: "containerd")
        func tags(_ id: String) -> Set<String> {
            Set((tagger.tags(forEntity: "container_id://\(id)", cardinality: .low) ?? []).filter {
                $0.hasPrefix("env:") || $0.hasPrefix("service:") || $0.hasPrefix("version:") || $0.contains("other")
                    || $0.contains("team")
            })
        }
        #expect(tags("by-env") == ["env:prod", "service:web", "version:1.4"])
        #expect(tags("by-label") == ["env:staging", "service:api", "version:2"])
        #expect(tags("empty").isEmpty)
    }

    @Test func cacheIsInvalidatedByStoreEvents() throws {
        let store = WorkloadStore()
        let tagger = Tagger(store: store, rules: TagRules(labelsAsTags: ["team": "team"]))
        store.publish(sample(), source: "containerd")
        #expect(tagger.tags(forEntity: "container_id://abc", cardinality: .low)?.contains("team:core") == true)
        store.publish(container("abc") { $0.labels = ["team": "edge"] }, source: "containerd")
        let deadline = Date().addingTimeInterval(5)
        while tagger.tags(forEntity: "container_id://abc", cardinality: .low)?.contains("team:edge") != true {
            if Date() > deadline { break }
            usleep(1000)
        }
        #expect(tagger.tags(forEntity: "container_id://abc", cardinality: .low)?.contains("team:edge") == true)
        #expect(tagger.tags(forEntity: "container_id://abc", cardinality: .low)?.contains("team:core") == false)
        store.remove(kind: .container, id: "abc", source: "containerd")
        while tagger.tags(forEntity: "container_id://abc", cardinality: .low) != nil && Date() < deadline { usleep(1000) }
        #expect(tagger.tags(forEntity: "container_id://abc", cardinality: .low) == nil)
    }

    @Test func imageTagsCoverEveryReference() throws {
        let store = WorkloadStore()
        let tagger = Tagger(store: store, rules: TagRules())
        store.publish(.image(Image(id: "sha256:1", repoTags: ["docker.io/library/bb:latest", "example.com:5000/team/bb:v2"],
                                   repoDigests: ["docker.io/library/bb@sha256:99"], os: "linux", architecture: "amd64")),
                      source: "containerd")
        let tags = Set(try #require(tagger.tags(forEntity: "image_id://sha256:1", cardinality: .low)))
        #expect(tags.isSuperset(of: ["image_name:docker.io/library/bb", "image_name:example.com:5000/team/bb",
                                     "image_tag:latest", "image_tag:v2", "short_image:bb", "image_id:sha256:1",
                                     "os_name:linux", "architecture:amd64"]))
    }

    @Test func cgroupPathLookup() {
        let store = WorkloadStore()
        let tagger = Tagger(store: store, rules: TagRules())
        store.publish(sample(), source: "containerd")
        #expect(tagger.containerID(forCgroupPath: "/default/abc") == "abc")
        #expect(tagger.containerID(forCgroupPath: "/default/abc/") == "abc")
        #expect(tagger.containerID(forCgroupPath: "/default/other") == nil)
        store.publish(container("abc") { $0.cgroupPath = "/moved/abc" }, source: "containerd")
        let deadline = Date().addingTimeInterval(5)
        while tagger.containerID(forCgroupPath: "/default/abc") != nil && Date() < deadline { usleep(1000) }
        #expect(tagger.containerID(forCgroupPath: "/default/abc") == nil)
        #expect(tagger.containerID(forCgroupPath: "/moved/abc") == "abc")
    }

    @Test func imageReferenceParsing() {
        let plain = ImageReference("redis")
        #expect(plain.name == "redis" && plain.tag == nil && plain.shortName == "redis")
        let port = ImageReference("localhost:5000/a/b:1.0@sha256:ff")
        #expect(port.name == "localhost:5000/a/b" && port.tag == "1.0" && port.digest == "sha256:ff" && port.shortName == "b")
        let noTag = ImageReference("localhost:5000/a/b")
        #expect(noTag.name == "localhost:5000/a/b" && noTag.tag == nil)
    }

    @Test func listingJSONListsEveryEntityWithCardinalities() {
        let store = WorkloadStore()
        let tagger = Tagger(store: store, rules: TagRules())
        store.publish(sample(), source: "containerd")
        store.publish(.image(Image(id: "sha256:cafe", repoTags: ["docker.io/library/redis:7.2"])), source: "containerd")
        guard case let .array(entries) = tagger.listingJSON() else { Issue.record("not an array"); return }
        #expect(entries.count == 2)
        #expect(entries[0]["entity"] == "container_id://abc")
        guard case let .array(high) = entries[0]["high"] else { Issue.record("no high"); return }
        #expect(high.contains("container_id:abc"))
        #expect(entries[1]["entity"] == "image_id://sha256:cafe")
    }

    @Test func labelRulesFromAnEnvironmentOverride() throws {
        let config = try AgentConfig.fromYAML("{}", baseDirectory: "/",
                                              environment: ["VIGIL_CONTAINER_LABELS_AS_TAGS": "team:team app.kubernetes.io/name:app"])
        let rules = TagRules(config: config)
        #expect(rules.labelsAsTags == ["team": "team", "app.kubernetes.io/name": "app"])
    }
}

/// `kubernetes_pod_uid://<uid>`: the entity DogStatsD's
/// `dd.internal.entity_id` names, tagged from its containers' runtime labels.
@Suite struct PodTaggingTests {
    @Test func podUIDResolvesToThePodsTagsOnceAContainerOfItIsKnown() throws {
        let store = WorkloadStore()
        let tagger = Tagger(store: store, config: try AgentConfig.fromYAML("", baseDirectory: "/"))
        #expect(tagger.tags(forEntity: "kubernetes_pod_uid://u-1", cardinality: .high) == nil)
        store.publish(container("c1") {
            $0.labels = ["io.kubernetes.pod.uid": "u-1", "io.kubernetes.pod.name": "web-0",
                         "io.kubernetes.pod.namespace": "shop"]
        }, source: "containerd")
        #expect(tagger.tags(forEntity: "kubernetes_pod_uid://u-1", cardinality: .low) == ["kube_namespace:shop"])
        #expect(tagger.tags(forEntity: "kubernetes_pod_uid://u-1", cardinality: .orchestrator)
            == ["kube_namespace:shop", "pod_name:web-0"])
        // A pod's tags are the pod's, not its container's.
        #expect(tagger.tags(forEntity: "kubernetes_pod_uid://u-1", cardinality: .high)?.contains("container_id:c1") == false)
        #expect(tagger.tags(forEntity: "kubernetes_pod_uid://u-2", cardinality: .low) == nil)
    }
}
