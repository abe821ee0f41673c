import Foundation

/// An application container on the same node, set up as a pod using the
/// agent's DogStatsD socket is: the hostPath /var/run/datadog mounted
/// read-only at the same path, DD_DOGSTATSD_URL pointing into it. A static
/// sender (busybox has no DogStatsD client) is mounted beside it, and a veth
/// pair gives it traffic the network module can count.
final class ApplicationPod: @unchecked Sendable {
    static let containerID = "dsd-app"
    static let imageName = "dsdapp"
    static let socketURL = "unix:///var/run/datadog/dsd.socket"

    /// Sends `argv[3]` datagrams "<argv[2]>:1|c" to the Unix socket named by
    /// DD_DOGSTATSD_URL, 20 ms apart, as a client library would (errors are
    /// ignored: a client never blocks its application on metrics).
    static let senderSource = #"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/socket.h>
        #include <sys/un.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            const char *url = getenv("DD_DOGSTATSD_URL");
            if (argc < 3 || !url || strncmp(url, "unix://", 7) != 0) return 2;
            struct sockaddr_un address = {0};
            address.sun_family = AF_UNIX;
            strncpy(address.sun_path, url + 7, sizeof(address.sun_path) - 1);
            int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
            char message[256];
            snprintf(message, sizeof message, "%s:1|c", argv[1]);
            int count = atoi(argv[2]), delivered = 0;
            for (int i = 0; i < count; i++) {
                if (sendto(fd, message, strlen(message), 0, (struct sockaddr *)&address, sizeof address) >= 0) delivered++;
                usleep(20000);
            }
            printf("%d\n", delivered);
            return delivered > 0 ? 0 : 1;
        }
        """#

    let harness: ContainerdHarness
    let hostEnd = "vgd\(getpid() % 10000)"
    private var traffic: pid_t?
    private var execCount = 0

    init(harness: ContainerdHarness, socketDirectory: String, workDirectory: String) throws {
        self.harness = harness
        let source = workDirectory + "/dsd-send.c", binary = workDirectory + "/dsd-send"
        try Self.senderSource.write(toFile: source, atomically: true, encoding: .utf8)
        try Subprocess.run("cc", ["-static", "-O2", "-o", binary, source], timeout: 60)
        try harness.importImage(archive: try harness.buildBusyboxImage(named: Self.imageName),
                                baseName: "docker.io/library/\(Self.imageName)")
        try harness.runContainer(id: Self.containerID, image: "docker.io/library/\(Self.imageName):latest", extraArgs: [
            "--null-io",
            "--env", "DD_DOGSTATSD_URL=\(Self.socketURL)", "--env", "DD_ENV=e2e", "--env", "DD_SERVICE=shop",
            "--mount", "type=bind,src=\(socketDirectory),dst=/var/run/datadog,options=rbind:ro",
            "--mount", "type=bind,src=\(binary),dst=/usr/bin/dsd-send,options=rbind:ro",
        ])
    }

    var pid: Int32? { try? harness.pid(ofContainer: Self.containerID) }

    /// A veth pair into the container's namespace and a ping every 100 ms across it, until `stop()`.
    func startTraffic() throws {
        guard let pid else { throw ContainerdHarness.HarnessError(description: "\(Self.containerID) has no task") }
        try NetworkContainerTests.wireVeth(pid: pid, host: hostEnd, inside: "eth1", subnet: 9)
        traffic = try Subprocess.spawn("nsenter", ["-t", "\(pid)", "-n", "ping", "-i", "0.1", "-c", "1500", "10.213.9.1"],
                                       stdoutPath: "/dev/null", stderrPath: "/dev/null")
    }

    /// Runs a command in the application container; its standard output and exit status.
    func exec(_ command: [String], timeout: TimeInterval = 30) throws -> Subprocess.Result {
        execCount += 1
        return try Subprocess.run("ctr", ["-a", harness.socketPath, "-n", harness.namespace, "tasks", "exec",
                                          "--exec-id", "a\(execCount)-\(getpid())", Self.containerID] + command,
                                  timeout: timeout, check: false)
    }

    /// How many of `count` datagrams the sender could hand to the socket.
    func send(_ metric: String, count: Int) throws -> Int {
        let output = try exec(["/usr/bin/dsd-send", metric, "\(count)"]).stdout
        return Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    func stop() {
        if let traffic { Subprocess.terminate(pid: traffic, grace: 2) }
        traffic = nil
        _ = try? Subprocess.run("ip", ["link", "del", hostEnd], check: false)
    }
}
