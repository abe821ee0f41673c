import Foundation
import VigilWorkload

/// What template variables can say about a running container, read from
/// the container itself through /proc (containerd does not report IPs or
/// ports).
struct ContainerFacts {
    let container: Container
    let procRoot: String

    /// Answers one template variable, or nil when it cannot be resolved.
    func value(of variable: String) -> String? {
        switch variable {
        case "host": return ipAddress()
        case "port": return listeningPorts().max().map(String.init)
        case "pid": return container.pid > 0 ? String(container.pid) : nil
        case "hostname": return hostname()
        case "container_id": return container.id
        case "container_name": return container.name.isEmpty ? container.id : container.name
        default:
            if variable.hasPrefix("env_") { return environment(String(variable.dropFirst(4))) }
            return nil
        }
    }

    /// The container's first non-loopback IPv4 address in its network namespace.
    func ipAddress() -> String? {
        guard container.pid > 0,
              let trie = try? String(contentsOfFile: "\(procRoot)/\(container.pid)/net/fib_trie", encoding: .utf8)
        else { return nil }
        var candidate: String?
        for line in trie.split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("|-- ") {
                candidate = String(text.dropFirst(4))
            } else if text.contains("/32 host LOCAL"), let ip = candidate, !ip.hasPrefix("127.") {
                return ip
            }
        }
        return nil
    }

    /// TCP ports in LISTEN state inside the container's network namespace.
    func listeningPorts() -> [Int] {
        guard container.pid > 0 else { return [] }
        var ports: Set<Int> = []
        for file in ["tcp", "tcp6"] {
            guard let table = try? String(contentsOfFile: "\(procRoot)/\(container.pid)/net/\(file)", encoding: .utf8) else { continue }
            for line in table.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                // local_address is "ADDR:PORT" in hex; state 0A is LISTEN.
                guard fields.count > 3, fields[3] == "0A", let colon = fields[1].lastIndex(of: ":"),
                      let port = Int(fields[1][fields[1].index(after: colon)...], radix: 16) else { continue }
                ports.insert(port)
            }
        }
        return ports.sorted()
    }

    func hostname() -> String? {
        if container.pid > 0,
           let text = try? String(contentsOfFile: "\(procRoot)/\(container.pid)/root/etc/hostname", encoding: .utf8) {
            let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !name.isEmpty { return name }
        }
        return container.name.isEmpty ? String(container.id.prefix(12)) : container.name
    }

    func environment(_ name: String) -> String? {
        if let value = container.env[name] { return value }
        guard container.pid > 0,
              let data = FileManager.default.contents(atPath: "\(procRoot)/\(container.pid)/environ") else { return nil }
        for entry in data.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            if text.hasPrefix(name + "=") { return String(text.dropFirst(name.count + 1)) }
        }
        return nil
    }

    /// Names a template's `ad_identifiers` may use for this container:
    /// the short image name ("redis"), and the image name with and
    /// without its registry and tag.
    var identifiers: Set<String> {
        var ref = container.imageRef
        if let at = ref.firstIndex(of: "@") { ref = String(ref[..<at]) }
        var withoutTag = ref
        if let colon = ref.lastIndex(of: ":"), !ref[colon...].contains("/") { withoutTag = String(ref[..<colon]) }
        let short = withoutTag.split(separator: "/").last.map(String.init) ?? withoutTag
        return [short, withoutTag, ref, container.imageRef].filter { !$0.isEmpty }.reduce(into: Set()) { $0.insert($1) }
    }
}
