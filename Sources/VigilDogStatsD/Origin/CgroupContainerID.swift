/// Finds a container id in the text of `/proc/<pid>/cgroup`, for the path
/// forms runtimes use: a bare 64-hex id (`/docker/<id>`, `/kubepods/…/<id>`),
/// systemd scopes (`docker-<id>.scope`, `cri-containerd-<id>.scope`,
/// `libpod-<id>.scope`) and CRI-O's `crio-<id>`. Paths without such an id
/// (e.g. containerd's `/<namespace>/<name>`) are returned as candidates for
/// the workload store, which knows every container's cgroup path.
enum CgroupContainerID {
    struct Result: Equatable {
        var containerID: String?
        /// Distinct cgroup paths, cgroup v2 first, for a workload-store lookup.
        var paths: [String]
    }

    static func parse(_ text: String) -> Result {
        var paths: [String] = []
        for line in text.split(separator: "\n") {
            // hierarchy-id:controllers:path — the path itself may contain ':'.
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            let path = String(parts[2])
            if let id = containerID(inPath: path) { return Result(containerID: id, paths: [path]) }
            if path == "/" || paths.contains(path) { continue }
            if parts[0] == "0" { paths.insert(path, at: 0) } else { paths.append(path) }
        }
        return Result(containerID: nil, paths: paths)
    }

    /// The innermost path component that names a container.
    static func containerID(inPath path: String) -> String? {
        for component in path.split(separator: "/").reversed() {
            var name = Substring(component)
            if name.hasSuffix(".scope") { name = name.dropLast(6) }
            for prefix in ["docker-", "cri-containerd-", "crio-", "libpod-", "containerd-"] where name.hasPrefix(prefix) {
                name = name.dropFirst(prefix.count)
                break
            }
            if name.utf8.count == 64, name.utf8.allSatisfy(isHex) { return String(name) }
        }
        return nil
    }

    private static func isHex(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 97 && b <= 102)
    }
}
