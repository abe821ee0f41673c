import Foundation
import Logging
import Testing
import VigilConfig
import VigilModel
import VigilModules
import VigilWorkload

/// Every workload and event function of the host table, called from modules
/// written in C (Tests/ABI/probes), compiled with plain `cc` against the
/// public header, loaded by the real loader and run against a real
/// `WorkloadStore`. A probe reports what it saw as events, read back here in
/// order; a broken expectation inside the C code fails the run with its line.
@Suite(.serialized) struct HostFunctionsFromCTests {
    static let logger = Logger(label: "test")
    /// Each probe runs both in the agent's process and in a `vigil module-host` child
    /// (issue 16): the host table must behave the same across the socket.
    static let isolations: [ModuleIsolation] = [.inProcess, .process]
    static let probes = ModuleBuilder.repoRoot.appendingPathComponent("Tests/ABI/probes").path

    /// One probe module, loaded and configured against its own store.
    final class Probe {
        let builder: ModuleBuilder
        let store = WorkloadStore()
        let instance: ModuleInstance
        private var seen: [Event] = []

        init(_ file: String, _ isolation: ModuleIsolation) throws {
            builder = try ModuleBuilder()
            try builder.compile(file: "\(HostFunctionsFromCTests.probes)/\(file)", into: "hostprobe.so",
                                flags: ["-pthread", "-I", HostFunctionsFromCTests.probes])
            let loaded = ModuleLoader.load(directories: [builder.directory.path], logger: HostFunctionsFromCTests.logger)
            let module = try #require(loaded.modules["hostprobe"], "\(loaded.records.map(\.status))")
            let config = try AgentConfig.fromYAML("hostname: hh\nmodule_isolation: \(isolation.rawValue)", baseDirectory: "/")
            // Isolated, the probe runs in the agent binary's `module-host`, built beside these tests.
            let services = HostServices(config: config, logger: HostFunctionsFromCTests.logger, tagProvider: nil,
                                        workload: store, moduleHostExecutable: AgentConfig.executableDirectory() + "/vigil")
            let check = try CheckConfig.parse(try YAMLLoader.load("instances:\n  - tags: [i:1]\n", file: "p.yaml"),
                                              checkName: "hostprobe", file: "p.yaml")
            instance = try ModuleInstance(module: module, check: check, instance: check.instances[0], services: services)
            #expect((instance.processStatus != nil) == (isolation == .process), "isolated means a child process")
        }

        deinit {
            instance.destroy()
            builder.remove()
        }

        /// One run; its error (a failed PROBE_CHECK) fails the test.
        func step(sourceLocation: SourceLocation = #_sourceLocation) {
            let result = instance.run()
            #expect(result.error == nil, sourceLocation: sourceLocation)
        }

        /// Every event the probe submitted so far, in order.
        var events: [Event] {
            seen += instance.context.sampler.flush(now: 0, force: true).events
            return seen
        }

        var titles: [String] { events.map(\.title) }

        /// Waits (bounded) until `predicate` holds for the titles so far.
        @discardableResult
        func wait(timeout: Double = 5, until predicate: ([String]) -> Bool) -> [String] {
            let deadline = Date().addingTimeInterval(timeout)
            while !predicate(titles), Date() < deadline { usleep(5_000) }
            return titles
        }

        func publish(_ id: String, source: String = "test", kind: EntityKind = .container) {
            switch kind {
            case .image: store.publish(.image(Image(id: id, name: "docker.io/library/\(id)")), source: source)
            default: store.publish(.container(Container(id: id, name: id, state: .running)), source: source)
            }
        }

        var subscriberNames: String { store.statusSnapshot().serialized() }
    }

    @Test(arguments: isolations) func getAndListEntities(_ isolation: ModuleIsolation) throws {
        let p = try Probe("probe_entities.c", isolation)
        p.store.publish(.container(Container(id: "web", name: "web-1", imageRef: "docker.io/library/redis:7",
                                             labels: ["team": "db"], cgroupPath: "/default/web", pid: 42,
                                             state: .running)), source: "test")
        p.publish("db")
        p.store.publish(.image(Image(id: "sha256:abc", name: "docker.io/library/redis",
                                     repoTags: ["docker.io/library/redis:7"])), source: "test")
        p.step()
        #expect(p.titles == [
            "get container web name=web-1 image=docker.io/library/redis:7 state=2 pid=42 cgroup=/default/web labels=team=db",
            "get image sha256:abc name=docker.io/library/redis tags=1 first=docker.io/library/redis:7",
            "list containers: 2 calls, db web",
            "list pods: 0 calls",
        ])
    }

    @Test(arguments: isolations) func submitEventCopiesEveryFieldAndFillsDefaults(_ isolation: ModuleIsolation) throws {
        let p = try Probe("probe_events.c", isolation)
        let before = WallClock.nowSeconds()
        p.step()
        let events = p.events
        try #require(events.count == 2, "the malformed events were not submitted: \(events.map(\.title))")
        let full = events[0]
        // The probe overwrote and freed every string right after the call.
        #expect(full.title == "disk full")
        #expect(full.text == "/var is at 99%")
        #expect(full.tags == ["a:1", "b:2", "i:1"], "module tags, then the instance's, normalised")
        #expect(full.host == "elsewhere")
        #expect(full.priority == .low)
        #expect(full.alertType == .error)
        #expect(full.aggregationKey == "disk-var")
        #expect(full.sourceTypeName == "custom")
        #expect(full.timestamp == 1_234_567_890)
        let minimal = events[1]
        #expect(minimal.title == "deployed")
        #expect(minimal.alertType == .success)
        #expect(minimal.priority == .normal)
        #expect(minimal.host == "hh", "NULL hostname is the agent's")
        #expect(minimal.sourceTypeName == "hostprobe", "NULL source type is the check name")
        #expect(minimal.aggregationKey == nil)
        #expect(minimal.tags == ["i:1"])
        #expect(minimal.timestamp >= before && minimal.timestamp <= WallClock.nowSeconds(), "0 is now")
    }

    @Test(arguments: isolations) func setReadyFromAThreadTheModuleStarted(_ isolation: ModuleIsolation) throws {
        let p = try Probe("probe_ready.c", isolation)
        #expect(!p.instance.isReady)
        try p.instance.start()
        let deadline = Date().addingTimeInterval(5)
        while !p.instance.isReady, Date() < deadline { usleep(1_000) }
        #expect(p.instance.isReady)
        // Published before set_ready, from strings the module destroyed after the call.
        let container = try #require(p.store.entity(kind: .container, id: "synced-1")?.container)
        #expect(container.name == "synced")
        #expect(container.imageRef == "docker.io/library/redis:7")
        #expect(container.labels == ["team": "db"])
        #expect(container.pid == 4242)
        #expect(p.store.sources(kind: .container, id: "synced-1") == ["probe"])
        p.instance.stop()
        p.step()   // No host call from the module's thread failed.
        #expect(p.instance.isReady, "set_ready twice changes nothing")
    }

    @Test(arguments: isolations) func subscribeDeliversTheInitialBundleThenChangesThroughItsFilters(_ isolation: ModuleIsolation) throws {
        let p = try Probe("probe_subscribe.c", isolation)
        p.publish("a")
        p.publish("b")
        p.publish("sha256:i1", kind: .image)
        p.step()
        p.wait { $0.contains { $0.hasPrefix("watch initial") } && $0.contains { $0.hasPrefix("unsets initial") } }
        // The names were copied: the module overwrote its strings after subscribe.
        #expect(p.subscriberNames.contains("hostprobe/watch") && p.subscriberNames.contains("hostprobe/unsets"))

        p.publish("c")
        p.publish("c", source: "other")          // Same merged entity: no change for "watch".
        p.publish("sha256:i2", kind: .image)      // Not a container: not for "watch".
        p.store.remove(kind: .container, id: "a", source: "test")
        p.store.remove(kind: .container, id: "c", source: "other")   // "other" withdraws: for "unsets".
        p.store.remove(kind: .container, id: "b", source: "test")
        let titles = p.wait { $0.contains("watch change UNSET container b") && $0.contains("unsets change UNSET container c") }
        #expect(titles.filter { $0.hasPrefix("watch ") } == [
            "watch initial [SET container a, SET container b]",
            "watch change SET container c",
            "watch change UNSET container a",
            "watch change UNSET container b",
        ])
        // The source filter (a string the module destroyed) still selects "other"'s reports only.
        #expect(titles.filter { $0.hasPrefix("unsets ") } == ["unsets initial []", "unsets change UNSET container c"])
        p.step()
        #expect(p.titles.last == "bookkeeping: overlaps=0 on_configure_thread=0 failures=0",
                "callbacks came from a host thread and could call back into the host")
    }

    @Test(.timeLimit(.minutes(1)), arguments: isolations)
    func callbacksOfOneSubscriptionAreNeverConcurrentAndKeepOrder(_ isolation: ModuleIsolation) throws {
        let p = try Probe("probe_burst.c", isolation)
        p.step()
        let publishers = 4, perPublisher = 100
        let store = p.store
        // Threads of their own, so the publishers never wait for the threads
        // that deliver callbacks.
        let done = DispatchGroup()
        for k in 0..<publishers {
            done.enter()
            Thread {
                for i in 0..<perPublisher {
                    store.publish(.container(Container(id: "t\(k)-\(i)", state: .running)), source: "test")
                    usleep(1_000)   // Paced, so new batches arrive while a callback runs.
                }
                done.leave()
            }.start()
        }
        done.wait()
        let expected = "burst events=\(publishers * perPublisher) overlaps=0 disorder=0 on_configure_thread=0"
        let deadline = Date().addingTimeInterval(20)
        var last = ""
        while Date() < deadline {
            p.step()
            last = p.titles.last ?? ""
            if last.hasPrefix("burst events=\(publishers * perPublisher) ") { break }
            usleep(20_000)
        }
        #expect(last == expected)
    }

    @Test(.timeLimit(.minutes(1)), arguments: isolations)
    func unsubscribeFromInsideTheCallbackAndWhileACallbackRuns(_ isolation: ModuleIsolation) throws {
        let p = try Probe("probe_unsubscribe.c", isolation)
        p.step()
        p.publish("x1")
        p.publish("stop")
        // Unsubscribing from inside its own callback returns (no deadlock) with OK.
        let titles = p.wait { $0.contains { $0.hasPrefix("inner unsubscribed itself") } }
        #expect(titles.contains("inner unsubscribed itself: 0"))

        p.publish("slow")
        p.step()
        // unsubscribe returned only after the running callback had finished.
        #expect(p.titles.last == "slow unsubscribed: 0 inside=0 finished=1")

        p.publish("x2")
        p.publish("x3")
        usleep(300_000)
        p.step()
        // inner: x1, stop (the empty initial bundle has no events); slow: x1, stop, slow.
        #expect(p.titles.last == "received: inner=2 slow=3 overlaps=0")
        #expect(!p.subscriberNames.contains("hostprobe/inner") && !p.subscriberNames.contains("hostprobe/slow"))

        p.step()
        #expect(p.subscriberNames.contains("hostprobe/left"))
        p.instance.destroy()
        #expect(!p.subscriberNames.contains("hostprobe/left"), "destroy ends the instance's subscriptions")
        p.publish("after-destroy")   // Would reach freed module memory if the subscription lived on.
    }
}
