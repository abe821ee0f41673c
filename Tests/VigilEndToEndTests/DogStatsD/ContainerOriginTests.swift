import Foundation
import Testing
import VigilAgent
import VigilConfig
import VigilModel

/// A sender inside a real containerd + runc container, the agent's socket
/// bind-mounted into it: its metrics must arrive with that container's tags,
/// found through SO_PASSCRED → PID → /proc/<pid>/cgroup → the workload
/// store (filled by the containerd module) → the tagger.
@Suite(.serialized) struct ContainerOriginTests {
    /// Static, so it runs in a busybox image without a libc.
    static let senderSource = #"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/socket.h>
        #include <sys/un.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
            struct sockaddr_un a = {0};
            a.sun_family = AF_UNIX;
            strncpy(a.sun_path, argv[1], sizeof(a.sun_path) - 1);
            int n = atoi(argv[2]);
            const char *msg = "ct.hits:1|c|#from:container\nct.temp:3|g";
            for (int i = 0; i < n; i++) {
                sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&a, sizeof(a));
                usleep(50000);
            }
            return 0;
        }
        """#

    @Test func metricsFromAContainerCarryItsTags() async throws {
        let dir = "/tmp/vdsd-ct-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir + "/conf.d/containerd.d", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/run", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.senderSource.write(toFile: dir + "/sender.c", atomically: true, encoding: .utf8)
        let cc = try runProcess("/usr/bin/cc", ["-static", "-O2", "-o", dir + "/sender", dir + "/sender.c"], timeout: 60)
        try #require(cc.status == 0, "cc -static failed: \(cc.output)")

        let harness = try ContainerdHarness(namespace: "vigil-dsd")
        defer { harness.stop() }
        let archive = try harness.buildBusyboxImage(named: "dsd-sender")
        try harness.importImage(archive: archive, baseName: "docker.io/library/dsdsender")

        try """
            init_config:
            instances:
              - containerd_socket: \(harness.socketPath)
                containerd_namespaces: [vigil-dsd]
            """.write(toFile: dir + "/conf.d/containerd.d/conf.yaml", atomically: true, encoding: .utf8)
        let config = try AgentConfig.fromYAML("""
            hostname: ct-host
            modules_path: [\(ShippedModules.folder)]
            confd_path: [\(dir)/conf.d]
            run_path: \(dir)/run
            dogstatsd_port: 0
            cmd_address: 127.0.0.1:0
            flush_interval: 3600
            """, baseDirectory: dir)
        let agent = try Agent(config: config)
        try agent.start()

        let id = "dsd-sender-1"
        try harness.runContainer(id: id, image: "docker.io/library/dsdsender:latest",
                                 extraArgs: ["--env", "DD_ENV=prod", "--env", "DD_SERVICE=web", "--env", "DD_VERSION=1.4",
                                             "--mount", "type=bind,src=\(dir)/dogstatsd,dst=/dsd,options=rbind:rw",
                                             "--mount", "type=bind,src=\(dir)/sender,dst=/sender,options=rbind:ro"],
                                 command: ["/sender", "/dsd/dsd.socket", "400"])
        let deadline = Date().addingTimeInterval(20)
        var containerTags: [String] = []
        while Date() < deadline {
            containerTags = agent.tagger.tags(forEntity: "container_id://\(id)", cardinality: .low) ?? []
            // Packets sent before the store learns of the container go untagged (a miss is cached
            // for 2 s); wait for the first tagged ones.
            if !containerTags.isEmpty, agent.dogstatsd.statusSnapshot()["origin_hits"] != .int(0) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let pid = try harness.pid(ofContainer: id)
        let cgroup = pid.flatMap { try? String(contentsOfFile: "/proc/\($0)/cgroup", encoding: .utf8) } ?? "?"
        let batch = agent.dogstatsd.flush(now: WallClock.now() + 20, force: true)
        let status = agent.dogstatsd.statusSnapshot()
        await agent.shutdown()

        #expect(!containerTags.isEmpty, "the workload store never learned the container's tags")
        // Unified service tagging: the container's DD_ENV/DD_SERVICE/DD_VERSION are its tags.
        #expect(Set(containerTags).isSuperset(of: ["env:prod", "service:web", "version:1.4"]), "\(containerTags)")
        let hits = batch.series.filter { $0.name == "ct.hits" }
        #expect(!hits.isEmpty, "no metrics from the container; status: \(status.serialized())")
        let tagged = hits.filter { Set($0.tags).isSuperset(of: containerTags) }
        #expect(!tagged.isEmpty, "series tags \(hits.map(\.tags)) lack the container's \(containerTags); sender cgroup: \(cgroup); status \(status.serialized())")
        #expect(tagged.allSatisfy { $0.tags.contains("from:container") && $0.host == "ct-host" })
        if case let .int(n)? = status["origin_hits"] { #expect(n > 0) } else { Issue.record("no origin_hits in status") }
    }
}
