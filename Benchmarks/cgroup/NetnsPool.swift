import Foundation

/// Processes that each sit in a network namespace of their own holding a veth
/// pair, like a container's. Killed by `stop()`.
final class NetnsPool {
    private(set) var pids: [Int32] = []

    init(count: Int) throws {
        for i in 0..<count {
            pids.append(try BenchTools.spawn("/usr/bin/unshare", ["-n", "sh", "-c",
                "ip link add v\(i)a type veth peer name v\(i)b && ip link set v\(i)a up && ip link set v\(i)b up && exec sleep 600"]))
        }
        // Wait until each has its interfaces (the shell execs sleep afterwards).
        let deadline = Date().addingTimeInterval(30)
        for pid in pids {
            while Date() < deadline {
                let dev = (try? String(contentsOfFile: "/proc/\(pid)/net/dev", encoding: .utf8)) ?? ""
                let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
                if dev.contains("v") && comm.hasPrefix("sleep") { break }
                usleep(10_000)
            }
        }
    }

    func stop() {
        pids.forEach(BenchTools.terminate)
        pids.removeAll()
    }
}
