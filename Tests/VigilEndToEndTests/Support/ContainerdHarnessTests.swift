import Foundation
import Testing

/// Checks the harness itself, so the suites built on it fail for their own reasons only.
@Suite(.serialized) struct ContainerdHarnessTests {
    @Test func runsAContainerAndCleansUp() throws {
        let harness = try ContainerdHarness(namespace: "vigil-harness")
        let directory = harness.directory
        let archive = try harness.buildBusyboxImage(named: "harness")
        let output = try harness.importImage(archive: archive, baseName: "docker.io/library/harness")
        #expect(output.contains("docker.io/library/harness:latest"))
        let images = try harness.ctr(["images", "list", "-q"])
        #expect(images.contains("docker.io/library/harness:latest"))
        #expect(images.contains("docker.io/library/harness@sha256:"))

        try harness.runContainer(id: "harness-1", image: "docker.io/library/harness:latest")
        let pid = try #require(try harness.pid(ofContainer: "harness-1"))
        let cgroup = try String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)
        #expect(cgroup.contains("/vigil-harness/harness-1"))

        try harness.restart()
        #expect(try harness.pid(ofContainer: "harness-1") == pid, "the task survives a containerd restart")

        try harness.stopAndDelete(id: "harness-1")
        #expect(try harness.pid(ofContainer: "harness-1") == nil)
        #expect(!(try harness.ctr(["containers", "list", "-q"])).contains("harness-1"))

        try harness.runContainer(id: "harness-2", image: "docker.io/library/harness:latest")
        let leftover = try #require(try harness.pid(ofContainer: "harness-2"))
        harness.stop()
        #expect(kill(leftover, 0) != 0, "stop() kills running tasks")
        #expect(!FileManager.default.fileExists(atPath: directory.path))
    }
}
