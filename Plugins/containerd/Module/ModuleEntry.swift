import CVigilModule
import VigilSwiftModuleKit

/// One configured instance: the collector and the background work running it.
final class ContainerdInstance: ModuleInstanceBody {
    let host: ModuleHost
    let settings: CollectorSettings
    private let work = BackgroundWork()

    init(host: ModuleHost, settings: CollectorSettings) {
        self.host = host
        self.settings = settings
    }

    func start() {
        let collector = ContainerdCollector(settings: settings, sink: host)
        work.start { await collector.run() }
    }

    func stop() { work.stop() }
}

private let definition = ModuleDefinition(
    name: "containerd", version: "1.0.0",
    description: "Containers and images from containerd into the workload store",
    kinds: VIGIL_MODULE_KIND_COLLECTOR) { host, _ in
        ContainerdInstance(host: host, settings: try ModuleSettings.load(ModuleOptions(host.configValue)))
    }

@_cdecl("vigil_module_entry")
public func vigilModuleEntry(_ hostMajor: UInt16, _ hostMinor: UInt16) -> UnsafePointer<vigil_module>? {
    ModuleExport.descriptor(for: definition, hostMajor: hostMajor)
}
