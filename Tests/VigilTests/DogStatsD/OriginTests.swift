import Foundation
import Testing
import VigilModel
@testable import VigilDogStatsD
@testable import VigilDogStatsDProtocol

@Suite struct OriginTests {
    static let id = String(repeating: "ab12", count: 16)

    @Test(arguments: [
        "12:memory:/docker/\(id)",
        "0::/system.slice/docker-\(id).scope",
        "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-\(id).scope",
        "4:cpu:/kubepods/burstable/pod1/crio-\(id)",
        "1:name=systemd:/machine.slice/libpod-\(id).scope",
        "5:pids:/kubepods/besteffort/pod9/\(id)",
    ])
    func containerIDFromCgroupForms(line: String) {
        #expect(CgroupContainerID.parse("junk\n" + line + "\n").containerID == Self.id)
    }

    @Test func pathsWithoutIDAreCandidatesV2First() {
        let found = CgroupContainerID.parse("3:memory:/default/web\n0::/default/web2\n2:cpu:/\n")
        #expect(found.containerID == nil)
        #expect(found.paths == ["/default/web2", "/default/web"])
    }

    @Test func resolverUsesProcAndTheTagger() throws {
        let proc = NSTemporaryDirectory() + "vigil-proc-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: proc) }
        for (pid, content) in [(100, "0::/system.slice/docker-\(Self.id).scope\n"), (200, "4:memory:/k8s.io/named\n"),
                               (300, "0::/user.slice\n")] {
            try FileManager.default.createDirectory(atPath: "\(proc)/\(pid)", withIntermediateDirectories: true)
            try content.write(toFile: "\(proc)/\(pid)/cgroup", atomically: true, encoding: .utf8)
        }
        let tagger = TableTagProvider(tagsByEntity: ["container_id://\(Self.id)": ["image_name:redis"],
                                                     "container_id://named": ["container_name:named"]],
                                      containersByCgroup: ["/k8s.io/named": "named"])
        let counters = DogStatsDCounters()
        let resolver = OriginResolver(tagProvider: tagger, cardinality: .low, counters: counters, procRoot: proc)
        #expect(resolver.origin(pid: 100).tags == ["image_name:redis"])
        #expect(resolver.origin(pid: 100).containerID == Self.id)  // cached
        #expect(resolver.origin(pid: 200).tags == ["container_name:named"])
        #expect(resolver.origin(pid: 300).tags.isEmpty)
        #expect(resolver.origin(pid: 0).tags.isEmpty)
        #expect(resolver.origin(pid: -1).tags.isEmpty)
        #expect(counters.originHits.load(ordering: .relaxed) == 3)
        #expect(counters.originMisses.load(ordering: .relaxed) == 1)
        #expect(counters.pidZero.load(ordering: .relaxed) == 1)
    }
}
