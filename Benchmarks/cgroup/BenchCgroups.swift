import Foundation

/// `count` empty cgroups made with mkdir under every v1 controller the cgroup
/// module reads, as /<parent>/b<i>; removed by `remove()`.
final class BenchCgroups {
    static let root = "/sys/fs/cgroup"
    static let controllers = ["cpu", "cpuacct", "memory", "blkio", "pids"]
    let parent: String
    let count: Int

    init(parent: String, count: Int) throws {
        self.parent = parent
        self.count = count
        for controller in Self.controllers {
            for i in 0..<count {
                try FileManager.default.createDirectory(atPath: "\(Self.root)/\(controller)/\(parent)/b\(i)",
                                                        withIntermediateDirectories: true)
            }
        }
    }

    func remove() {
        for controller in Self.controllers {
            for i in 0..<count { rmdir("\(Self.root)/\(controller)/\(parent)/b\(i)") }
            rmdir("\(Self.root)/\(controller)/\(parent)")
        }
    }

    static var available: Bool {
        getuid() == 0 && controllers.allSatisfy { FileManager.default.fileExists(atPath: "\(root)/\($0)/tasks") }
    }
}
