import VigilConsole
import VigilForwarding
import VigilWorkload

extension Agent {
    /// The console reads what `vigil status`, `vigil workload`, `vigil tagger`
    /// and `vigil query` read: the same snapshots, the same store file.
    func registerConsole() {
        let sources = ConsoleSources(
            hostname: config.hostname,
            status: { [weak self] in self?.statusSnapshot() ?? .null },
            workload: { [weak self] kind in self?.workload.listingJSON(kind: kind.flatMap { EntityKind(name: $0) }) ?? .null },
            tags: { [weak self] in self?.tagger.listingJSON() ?? .null },
            store: forwarder.settings.localStore ? LocalStoreQuery(config: config) : nil)
        Console(settings: ConsoleSettings(config: config), sources: sources).register(on: statusServer)
    }
}
