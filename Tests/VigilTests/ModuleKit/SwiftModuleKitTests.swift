import CVigilModule
import Foundation
import Logging
import Synchronization
import Testing
import VigilConfig
@testable import VigilModules
import VigilSwiftModuleKit
import VigilWorkload

/// The Swift module kit against the real host table: a module defined with
/// ModuleDefinition is configured, started and stopped by ModuleInstance, and
/// every ModuleHost call lands in a real workload store.
@Suite(.serialized) struct SwiftModuleKitTests {
    /// What the in-process module saw; written from its callbacks.
    final class Observed: @unchecked Sendable {
        let lock = NSLock()
        var host: ModuleHost?
        var options: [String: String] = [:]
        var changes: [[String]] = []
        var stopped = false
        var subscription: EntitySubscription?

        func record(_ batch: [EntityChange], initial: Bool) {
            lock.withLock {
                changes.append(batch.map { change in
                    switch change {
                    case let .set(e): "\(initial ? "initial " : "")set \(e.kind.name) \(e.id)"
                    case let .unset(e): "unset \(e.kind.name) \(e.id)"
                    }
                })
            }
        }
    }

    final class Body: ModuleInstanceBody {
        let observed: Observed
        init(_ observed: Observed) { self.observed = observed }
        func start() throws {
            guard let host = observed.host else { return }
            observed.subscription = try EntitySubscription(host: host, name: "kit-test", kinds: [.container]) { [observed] in
                observed.record($0, initial: $1)
            }
        }
        func stop() {
            observed.subscription?.cancel()
            observed.lock.withLock { observed.stopped = true }
        }
    }

    static let observed = Observed()

    static let definition = ModuleDefinition(name: "kittest", version: "0.1.0", description: "kit under test",
                                             kinds: VIGIL_MODULE_KIND_COLLECTOR) { host, info in
        observed.host = host
        let options = ModuleOptions(host.configValue)
        observed.options = [
            "list": try options.stringList("names")?.joined(separator: "|") ?? "-",
            "map": try options.stringMap("renames")?.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") ?? "-",
            "check": info.checkName,
        ]
        if try options.bool("refuse") == true { throw ModuleOptions.Invalid("refused on request") }
        return Body(observed)
    }

    func instance(_ yaml: String, store: WorkloadStore, agentYAML: String = "hostname: kit-host") throws -> ModuleInstance {
        let descriptor = try #require(ModuleExport.descriptor(for: Self.definition, hostMajor: UInt16(VIGIL_ABI_MAJOR)))
        let module = LoadedModule(name: "kittest", version: "0.1.0", path: "(in process)", kinds: [.collector],
                                  descriptor: descriptor)
        let services = HostServices(config: try AgentConfig.fromYAML(agentYAML, baseDirectory: "/"),
                                    logger: Logger(label: "test"), tagProvider: nil, workload: store)
        let check = try CheckConfig.parse(try YAMLLoader.load(yaml, file: "k.yaml"), checkName: "kittest", file: "k.yaml")
        return try ModuleInstance(module: module, check: check, instance: check.instances[0], services: services)
    }

    @Test func descriptorRefusesAnotherMajor() {
        #expect(ModuleExport.descriptor(for: Self.definition, hostMajor: UInt16(VIGIL_ABI_MAJOR) + 1) == nil)
    }

    @Test func moduleHostReachesTheStoreAndOptionsParse() throws {
        let store = WorkloadStore()
        store.publish(.container(Container(id: "before", pid: 7, state: .running)), source: "other")
        let instance = try instance("""
            instances:
              - names: [a, 2, true]
                renames: {DD_ENV: env, TEAM: team}
            """, store: store)
        defer { instance.destroy() }
        #expect(Self.observed.options == ["list": "a|2|true", "map": "DD_ENV=env,TEAM=team", "check": "kittest"])
        try instance.start()
        let host = try #require(Self.observed.host)
        #expect(host.hostname == "kit-host")

        let published = Container(id: "web", name: "web", namespace: "default", runtime: "containerd", pid: 42,
                                  state: .running, hostname: "web-1", ipAddresses: ["10.0.0.2", "fd00::2"], ports: [80, 8443])
        #expect(host.publish(.container(published)))
        // The store holds exactly what the module published, new 1.2 fields included.
        #expect(store.entity(kind: .container, id: "web")?.container == published)
        #expect(host.entity(.container, id: "web")?.container == published)
        #expect(host.entity(.container, id: "absent") == nil)
        #expect(Set(host.entities(.container).map(\.id)) == ["before", "web"])

        host.remove(.container, id: "web")
        host.remove(.container, id: "never-there")   // not an error
        #expect(store.entity(kind: .container, id: "web") == nil)

        // The store delivers events on its own queue: wait for the unset before ending the subscription.
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, !Self.observed.lock.withLock({ Self.observed.changes.joined().contains("unset container web") }) {
            Thread.sleep(forTimeInterval: 0.01)
        }
        instance.stop()
        let changes = Self.observed.lock.withLock { Self.observed.changes }
        #expect(changes.first == ["initial set container before"])
        #expect(changes.dropFirst().flatMap { $0 } == ["set container web", "unset container web"])
        #expect(Self.observed.lock.withLock { Self.observed.stopped })
    }

    @Test func configureErrorsReachTheAgent() throws {
        #expect(throws: ModuleError.self) {
            _ = try instance("instances:\n  - refuse: yes\n", store: WorkloadStore())
        }
        do {
            _ = try instance("instances:\n  - refuse: maybe\n", store: WorkloadStore())
            Issue.record("a bad boolean was accepted")
        } catch {
            #expect("\(error)".contains("refuse must be true or false, got \"maybe\""))
        }
    }

    /// A module built against the 1.0 header passes a 120-byte vigil_container: it is read
    /// without touching what lies past it.
    @Test func containersFromOlderModulesAreReadToTheirSize() throws {
        let arena = CArena()
        var container = vigil_container()
        container.struct_size = 120
        container.name = arena.string("old")
        container.pid = 9
        container.state = UInt32(ContainerState.running.rawValue)
        container.hostname = arena.string("must-not-be-read")
        var entity = vigil_entity()
        entity.struct_size = UInt32(MemoryLayout<vigil_entity>.size)
        entity.kind = UInt32(EntityKind.container.rawValue)
        entity.id = arena.string("old")
        entity.container = arena.value(container)
        let read = try #require(EntityConversion.fromC(arena.value(entity))?.container)
        #expect(read.pid == 9 && read.state == .running && read.name == "old")
        #expect(read.hostname == "")

        container.struct_size = 119
        entity.container = arena.value(container)
        #expect(EntityConversion.fromC(arena.value(entity)) == nil)
    }

    /// What a module can learn of the agent's credentials through config_value: nothing. A
    /// secret key reads as absent; the whole file ("" or ".") and any section holding a secret
    /// come redacted.
    @Test func agentSecretsNeverReachAModule() throws {
        let instance = try instance("instances:\n  - {}\n", store: WorkloadStore(), agentYAML: """
            hostname: kit-host
            api_key: sekrit-api
            prometheus_remote_write:
              - url: http://example/
                basic_auth: {username: u, password: sekrit-pw}
                headers: {X-Scope-OrgID: team, Authorization-Token: sekrit-header}
            """)
        defer { instance.destroy() }
        let host = try #require(Self.observed.host)
        #expect(host.configValue("api_key", scope: VIGIL_CONFIG_AGENT) == nil)
        #expect(host.configValue("prometheus_remote_write", scope: VIGIL_CONFIG_AGENT)?.contains("http://example/") == true)
        for key in ["", ".", "prometheus_remote_write"] {
            let text = host.configValue(key, scope: VIGIL_CONFIG_AGENT) ?? ""
            #expect(!text.contains("sekrit"), "config_value(\"\(key)\") leaked: \(text)")
        }
        #expect(host.configValue("", scope: VIGIL_CONFIG_AGENT)?.contains(SecretKeys.redaction) == true)
        #expect(host.configValue("hostname", scope: VIGIL_CONFIG_AGENT) == "kit-host")
    }

    /// A module keeping files in run_path (the containerd image cache) gets it resolved: the
    /// configuration file's folder applied to a relative path, the default when absent.
    @Test func runPathIsAnsweredResolved() throws {
        let relative = try instance("instances:\n  - {}\n", store: WorkloadStore(), agentYAML: "run_path: state/run")
        #expect(Self.observed.host?.configValue("run_path", scope: VIGIL_CONFIG_AGENT) == "/state/run")
        relative.destroy()
        let absent = try instance("instances:\n  - {}\n", store: WorkloadStore())
        #expect(Self.observed.host?.configValue("run_path", scope: VIGIL_CONFIG_AGENT) == "/run")
        absent.destroy()
    }
}

/// Well-known media types come back as shared literals; anything else is read as given.
@Suite struct MediaTypesTests {
    @Test func wellKnownTypesAreSharedAndOthersCopied() {
        let known = "application/vnd.oci.image.manifest.v1+json"
        let first = known.withCString { MediaTypes.string($0) }
        #expect(first == known)
        let unknown = "application/vnd.example.thing+json"
        #expect(unknown.withCString { MediaTypes.string($0) } == unknown)
        #expect(MediaTypes.string(nil) == "")
        // A prefix of a known type is not that type.
        #expect("application/vnd.oci.image".withCString { MediaTypes.string($0) } == "application/vnd.oci.image")
        // The same storage each time: a literal, not a copy per image.
        let second = String(known).withCString { MediaTypes.string($0) }
        var a = first, b = second
        let sameBytes = a.withUTF8 { x in b.withUTF8 { y in x.baseAddress == y.baseAddress } }
        #expect(sameBytes)
    }
}
