import Foundation

/// A running container's addresses and listening ports, read from its
/// network namespace through /proc/<pid>/net (containerd reports neither).
struct ContainerNetwork: Equatable {
    var ipAddresses: [String] = []
    var ports: [UInt16] = []

    /// Reads the namespace of `pid` under `procRoot`; empty when the process is gone.
    static func read(pid: Int64, procRoot: String) -> ContainerNetwork {
        guard pid > 0 else { return ContainerNetwork() }
        let net = "\(procRoot)/\(pid)/net"
        let ipv4 = ProcFile.read("\(net)/fib_trie").map(ipv4Addresses) ?? []
        let ipv6 = ProcFile.read("\(net)/if_inet6").map(ipv6Addresses) ?? []
        var ports = Set<UInt16>()
        for table in ["tcp", "tcp6"] {
            if let text = ProcFile.read("\(net)/\(table)") { ports.formUnion(listeningPorts(text)) }
        }
        return ContainerNetwork(ipAddresses: ipv4 + ipv6, ports: ports.sorted())
    }

    /// Local IPv4 addresses (the "/32 host LOCAL" leaves of the trie), loopback excluded, in order of appearance.
    static func ipv4Addresses(_ trie: String) -> [String] {
        var found: [String] = []
        var candidate: Substring?
        for line in trie.split(separator: "\n") {
            if let leaf = line.range(of: "|-- ") {
                candidate = line[leaf.upperBound...]
            } else if line.contains("/32 host LOCAL"), let address = candidate, !address.hasPrefix("127."),
                      !found.contains(String(address)) {
                found.append(String(address))
            }
        }
        return found
    }

    /// Global-scope IPv6 addresses from if_inet6 ("<32 hex digits> <ifindex> <prefix> <scope> <flags> <name>").
    static func ipv6Addresses(_ table: String) -> [String] {
        table.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[3] == "00", fields[0].count == 32 else { return nil }
            let hex = Array(fields[0])
            let groups = stride(from: 0, to: 32, by: 4).map { String(hex[$0..<$0 + 4]) }
            return groups.map { group in
                let trimmed = group.drop(while: { $0 == "0" })
                return trimmed.isEmpty ? "0" : String(trimmed)
            }.joined(separator: ":")
        }
    }

    /// Ports of sockets in LISTEN state (st 0A) from /proc/net/tcp or tcp6.
    static func listeningPorts(_ table: String) -> [UInt16] {
        table.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // local_address is "ADDR:PORT" in hex.
            guard fields.count > 3, fields[3] == "0A", let colon = fields[1].lastIndex(of: ":") else { return nil }
            return UInt16(fields[1][fields[1].index(after: colon)...], radix: 16)
        }
    }
}
