import CVigilModule
import VigilSwiftModuleKit

/// One configured instance: the collector and the background work running it.
final class SBOMInstance: ModuleInstanceBody {
    let host: ModuleHost
    let settings: SBOMSettings
    private let work = BackgroundWork()

    init(host: ModuleHost, settings: SBOMSettings) {
        self.host = host
        self.settings = settings
    }

    func start() {
        let collector = SBOMCollector(settings: settings, host: host)
        work.start { await collector.run() }
    }

    func stop() { work.stop() }
}

private let definition = ModuleDefinition(
    name: "sbom", version: "1.0.0",
    description: "Software bills of materials (CycloneDX) for every image and for the host",
    kinds: VIGIL_MODULE_KIND_COLLECTOR | VIGIL_MODULE_KIND_SUBSCRIBER) { host, _ in
        SBOMInstance(host: host, settings: try SBOMSettings.load(ModuleOptions(host.configValue)))
    }

@_cdecl("vigil_module_entry")
public func vigilModuleEntry(_ hostMajor: UInt16, _ hostMinor: UInt16) -> UnsafePointer<vigil_module>? {
    ModuleExport.descriptor(for: definition, hostMajor: hostMajor)
}
