import Foundation
import VigilModules
import VigilTestSupport

/// The folder the tests' agents load the shipped modules from: the build's
/// products folder when the module loader trusts it, otherwise (a checkout
/// under `/tmp`, say) a trusted copy of its `libvigil-*.so`, made once.
enum ShippedModules {
    static let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().path

    static let folder: String = {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: products)) ?? [])
            .filter { $0.hasPrefix("libvigil-") && $0.hasSuffix(".so") }
        if let first = names.first, ModuleFileTrust.problem(path: products + "/" + first) == nil { return products }
        guard let copy = try? TrustedScratch.folder("vigil-shipped-modules") else { return products }
        for name in names {
            try? FileManager.default.copyItem(atPath: products + "/" + name, toPath: copy + "/" + name)
            chmod(copy + "/" + name, 0o755)
        }
        return copy
    }()
}
