import Foundation
import Testing

/// The image scripts/build-image.sh builds from this run's products, imported
/// into a private containerd and run with the DaemonSet's mounts, user and
/// capabilities, next to an application container sharing its DogStatsD
/// socket folder. Everything is read from inside the agent's container
/// (`vigil status`, `vigil query`) or from inside the application's.
@Suite(.serialized)
struct VigilImageDeploymentTests {
    static var canRun: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/containerd")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/umoci")
            && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
            && FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory")
    }

    /// What the test saw, gathered on its own thread and checked afterwards.
    struct Observed: Sendable {
        var image: VigilImage.Built
        var readyAfterStart = false
        var capabilities = ""
        var modules = ""
        var memory: [String] = []
        var network: [String] = []
        var before: [String] = []
        var beforeSent = 0
        var socketFolderOnHost: [String] = []
        var tokenInRunFolder = false
        var appListing = ""
        var sbomList = ""
        var appReadsToken: Int32 = 0
        var appWritesFolder: Int32 = 0
        var stoppedBySIGTERM = false
        var readyAfterRestart = false
        var after: [String] = []
        var afterSent = 0
        var beforeKeptAcrossRestart = false
        var log = ""
    }

    static func seriesText(_ series: [DeployedVigil.Series]) -> [String] { series.map(\.description) }

    @Test(.enabled(if: canRun), .timeLimit(.minutes(4)))
    func imageRunsAsTheDaemonSetDoes() async throws {
        let node = "/tmp/vdep-\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(atPath: node, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: node) }

        let seen = try await onOwnThread { () throws -> Observed in
            var seen = Observed(image: try VigilImage.build(into: node))
            let harness = try ContainerdHarness(namespace: "vigil-deploy")
            defer { harness.stop() }
            try harness.importImage(archive: seen.image.archive, baseName: VigilImage.repository)

            // The node's folders first, then the application, so the agent's first check runs see it.
            let vigil = try DeployedVigil(harness: harness, nodeDirectory: node)
            let app = try ApplicationPod(harness: harness, socketDirectory: vigil.socketDirectory, workDirectory: node)
            defer { app.stop() }
            try app.startTraffic()
            try vigil.start()
            seen.readyAfterStart = Subprocess.poll(timeout: 30, interval: 0.5) { vigil.probe() }
            guard seen.readyAfterStart else { seen.log = vigil.log; return seen }
            if let pid = vigil.pid {
                let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
                seen.capabilities = status.split(separator: "\n").first { $0.hasPrefix("CapEff:") }.map(String.init) ?? ""
            }
            seen.modules = (try? vigil.exec(["/usr/bin/vigil", "modules", "-c", "/etc/vigil/vigil.yaml"]))?.stdout ?? ""

            // DogStatsD through the shared folder. Datagrams sent before the containerd module has
            // stored the application go untagged, so send until tagged ones are stored.
            let originTags = ["short_image:\(ApplicationPod.imageName)", "image_tag:latest", "env:e2e", "service:shop"]
            _ = Subprocess.poll(timeout: 30, interval: 0.5) {
                seen.beforeSent += (try? app.send("deploy.before", count: 5)) ?? 0
                return !vigil.query("deploy.before", tags: originTags).isEmpty
            }
            seen.before = Self.seriesText(vigil.query("deploy.before"))

            // Module metrics of the application container: the memory gauge at the first cgroup run,
            // network rates at the second network run (15 s apart in the shipped conf.d).
            let container = "container_id:\(ApplicationPod.containerID)"
            _ = Subprocess.poll(timeout: 60, interval: 1) {
                seen.memory = Self.seriesText(vigil.query("container.memory.usage", tags: [container]))
                seen.network = Self.seriesText(vigil.query("container.net.rcvd", tags: [container, "interface:eth1"]))
                return !seen.memory.isEmpty && !seen.network.isEmpty
            }

            // The sbom module reads the application's image through the mounted containerd socket.
            _ = Subprocess.poll(timeout: 60, interval: 1) {
                seen.sbomList = (try? vigil.exec(["/usr/bin/vigil", "sbom", "list", "-c", "/etc/vigil/vigil.yaml"]))?.stdout ?? ""
                return seen.sbomList.split(separator: "\n").contains { $0.contains(ApplicationPod.imageName) && $0.contains("success") }
            }

            // What the application can see of the agent's files.
            seen.socketFolderOnHost = ((try? FileManager.default.contentsOfDirectory(atPath: vigil.socketDirectory)) ?? []).sorted()
            seen.tokenInRunFolder = FileManager.default.fileExists(atPath: vigil.runDirectory + "/auth_token")
            seen.appListing = (try? app.exec(["ls", "-a", "/var/run/datadog"]))?.stdout ?? ""
            seen.appReadsToken = (try? app.exec(["cat", "/var/run/datadog/auth_token"]))?.status ?? 0
            seen.appWritesFolder = (try? app.exec(["mkdir", "/var/run/datadog/planted"]))?.status ?? 0

            // The kubelet's restart: SIGTERM, a new task in the same container, same mounts.
            seen.stoppedBySIGTERM = try vigil.restart()
            seen.readyAfterRestart = Subprocess.poll(timeout: 30, interval: 0.5) { vigil.probe() }
            _ = Subprocess.poll(timeout: 30, interval: 0.5) {
                seen.afterSent += (try? app.send("deploy.after", count: 5)) ?? 0
                return !vigil.query("deploy.after", tags: originTags).isEmpty
            }
            seen.after = Self.seriesText(vigil.query("deploy.after"))
            seen.beforeKeptAcrossRestart = !vigil.query("deploy.before").isEmpty
            seen.log = vigil.log
            return seen
        }

        // For the CI log: what the image weighs and one series of each kind the agent stored.
        print("""
            deployment: \(seen.image.sizeReport)
              cgroup: \(seen.memory.first ?? "-")
              network: \(seen.network.first ?? "-")
              dogstatsd before restart: \(seen.before.first ?? "-")
              dogstatsd after restart: \(seen.after.first ?? "-")
            """)
        let context = "image \(seen.image.sizeReport); agent log:\n\(seen.log)"
        #expect(seen.image.archiveBytes > 0, "\(context)")
        try #require(seen.readyAfterStart, "the probe (vigil health --live) never succeeded; \(context)")
        // Only CAP_SYS_PTRACE (bit 19), as the DaemonSet grants.
        #expect(seen.capabilities.hasSuffix("0000000000080000"), "\(seen.capabilities)")
        for module in ["cgroup", "network", "containerd", "sbom", "kubernetes", "autoscaling"] {
            #expect(seen.modules.contains("libvigil-\(module).so"), "\(seen.modules)")
        }
        #expect(seen.sbomList.split(separator: "\n").contains { $0.contains(ApplicationPod.imageName) && $0.contains("success") },
                "\(seen.sbomList)")
        #expect(!seen.modules.contains("example"), "the example module is not shipped: \(seen.modules)")
        #expect(!seen.modules.contains("refused"), "\(seen.modules)")

        #expect(!seen.memory.isEmpty, "no container.memory.usage of the application; \(context)")
        #expect(seen.memory.allSatisfy { $0.hasPrefix(DeployedVigil.hostname + " ") }, "\(seen.memory)")
        #expect(!seen.network.isEmpty, "no container.net.rcvd on eth1 of the application; \(context)")

        // Origin detection through the shared folder: the application's image and service tags.
        #expect(seen.beforeSent > 0, "the application could not send through its read-only mount")
        #expect(seen.before.contains { $0.contains("short_image:dsdapp") && $0.contains("env:e2e") },
                "\(seen.before); \(context)")

        // The shared folder holds the socket and nothing else; the token is in the private folder.
        #expect(seen.socketFolderOnHost == ["dsd.socket"], "\(seen.socketFolderOnHost)")
        #expect(seen.tokenInRunFolder, "auth_token is not in run_path; the next check would prove nothing")
        let listing = seen.appListing.split(whereSeparator: \.isWhitespace).filter { $0 != "." && $0 != ".." }
        #expect(listing == ["dsd.socket"], "the application sees \(seen.appListing)")
        #expect(seen.appReadsToken != 0, "the application read an auth_token")
        #expect(seen.appWritesFolder != 0, "the application could plant a file in the socket folder")

        // The restart keeps the application's socket working.
        #expect(seen.stoppedBySIGTERM, "SIGTERM did not stop the agent within 20 s")
        #expect(seen.readyAfterRestart, "not ready after the restart; \(context)")
        #expect(seen.afterSent > 0)
        #expect(seen.after.contains { $0.contains("short_image:dsdapp") && $0.contains("env:e2e") },
                "after the restart the application's metrics did not arrive tagged: \(seen.after); \(context)")
        #expect(seen.beforeKeptAcrossRestart, "the local store in the run folder did not survive the restart")
    }
}
