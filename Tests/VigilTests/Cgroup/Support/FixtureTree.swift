import Foundation

/// A writable copy of a fixture tree under Cgroup/Fixtures, removed on deinit,
/// so a test can move counters forward between runs.
final class FixtureTree {
    let root: URL

    init(_ name: String, file: String = #filePath) throws {
        let source = URL(fileURLWithPath: file).deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name)
        root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-fixture-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: root)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    var path: String { root.path }

    func write(_ relative: String, _ text: String) throws {
        try text.write(to: root.appendingPathComponent(relative), atomically: false, encoding: .utf8)
    }

    func remove(_ relative: String) throws {
        try FileManager.default.removeItem(at: root.appendingPathComponent(relative))
    }
}

/// The name the module should give a block device: DEVNAME from sysfs, else
/// /proc/partitions, else "major:minor" — computed independently here.
func expectedDeviceName(major: Int, minor: Int) -> String {
    if let uevent = try? String(contentsOfFile: "/sys/dev/block/\(major):\(minor)/uevent", encoding: .utf8),
       let line = uevent.split(separator: "\n").first(where: { $0.hasPrefix("DEVNAME=") }) {
        return String(line.dropFirst("DEVNAME=".count))
    }
    if let partitions = try? String(contentsOfFile: "/proc/partitions", encoding: .utf8) {
        for line in partitions.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count == 4, Int(f[0]) == major, Int(f[1]) == minor { return String(f[3]) }
        }
    }
    return "\(major):\(minor)"
}

/// Open file descriptors of this process.
func openFileDescriptorCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
