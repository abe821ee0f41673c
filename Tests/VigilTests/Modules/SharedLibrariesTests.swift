import Foundation
import Testing

/// The third-party libraries are linked once, into libvigil-shared.so: neither the agent nor
/// a Swift module defines their types again (a target naming one of those packages directly
/// in Package.swift would bring a second, static copy, and the memory it costs).
@Suite struct SharedLibrariesTests {
    /// Mangled-name prefixes of the libraries' modules (`$s` + length + name).
    static let libraries = ["7NIOCore", "8NIOPosix", "8GRPCCore", "13SwiftProtobuf", "7Logging", "15AsyncHTTPClient", "4GRDB", "4Yams"]

    /// The nominal type descriptors (`…Mn`) `file` defines for each library: only the module
    /// that declares a type emits its descriptor, whatever generic code is specialised elsewhere.
    static func typeDescriptors(in file: String) throws -> [String: Int] {
        let nm = Process()
        nm.executableURL = URL(fileURLWithPath: "/usr/bin/nm")
        nm.arguments = ["--defined-only", try ModuleHarness.productPath(file)]
        let output = Pipe()
        nm.standardOutput = output
        try nm.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        nm.waitUntilExit()
        #expect(nm.terminationStatus == 0)
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            guard let symbol = line.split(separator: " ").last, symbol.hasSuffix("Mn") else { continue }
            for library in libraries where symbol.hasPrefix("$s" + library) { counts[library, default: 0] += 1 }
        }
        return counts
    }

    @Test func theSharedLibraryDefinesTheirTypes() throws {
        let counts = try Self.typeDescriptors(in: "libvigil-shared.so")
        for library in Self.libraries { #expect(counts[library, default: 0] > 0, "\(library)") }
    }

    @Test(arguments: ["vigil", "libvigil-containerd.so", "libvigil-sbom.so", "libvigil-kubernetes.so", "libvigil-autoscaling.so"])
    func noOtherBinaryCarriesACopy(_ file: String) throws {
        #expect(try Self.typeDescriptors(in: file) == [:])
    }
}
