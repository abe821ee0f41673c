import Foundation
import SBOMScanner
import Testing

/// Layers as real tarballs (GNU tar, gzip, zstd), streamed in small pieces through the
/// decompressor and tar reader, then stacked with their whiteouts.
@Suite struct LayerStreamTests {
    /// Feeds `blob` in pieces of `piece` bytes, as a network stream would deliver it.
    func inventory(_ blob: [UInt8], diffID: String, piece: Int = 977) throws -> LayerInventory {
        let decompressor = LayerDecompressor()
        let builder = LayerInventoryBuilder(diffID: diffID)
        let tar = TarStream(consumer: builder)
        var offset = 0
        while offset < blob.count {
            let end = min(blob.count, offset + piece)
            try blob[offset..<end].withUnsafeBytes { chunk in try decompressor.feed(chunk) { try tar.feed($0) } }
            offset = end
        }
        try decompressor.finish { try tar.feed($0) }
        try tar.finish()
        return builder.inventory
    }

    @Test(arguments: ["", "gzip", "zstd"])
    func everyCompressionGivesTheSamePackages(compression: String) throws {
        let fixtures = try SBOMFixtures("compression")
        defer { fixtures.remove() }
        let deep = String(repeating: "deep/", count: 30) + "node_modules/left-pad/package.json"
        let root = try fixtures.folder("base", [
            "var/lib/dpkg/status": SBOMFixtures.dpkgStatus,
            "etc/os-release": SBOMFixtures.osRelease,
            deep: #"{"name": "left-pad", "version": "1.3.0", "license": {"type": "WTFPL"}}"#,
            "usr/lib/python3/site-packages/six-1.16.0.dist-info/METADATA": SBOMFixtures.pythonMetadata("six", "1.16.0"),
        ])
        let layer = try inventory(try fixtures.layer(of: root, compression: compression), diffID: "sha256:base")
        let bom = BillOfMaterials(subject: BOMSubject(kind: .folder, id: "x", name: "x"), view: LayerStack.squash([layer]))
        let found = Set(bom.packages.map { "\($0.type.rawValue) \($0.name) \($0.version)" })
        #expect(found == ["deb base-files 12.4+deb12u5", "deb libc6 2.36-9+deb12u4", "npm left-pad 1.3.0", "python six 1.16.0"],
                "the removed package with only config files left is not installed; a path past 100 bytes is read whole")
        #expect(bom.os?.id == "debian" && bom.os?.versionID == "12")
        let libc = try #require(bom.packages.first { $0.name == "libc6" })
        #expect(libc.purl(os: bom.os) == "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc")
        #expect(libc.layer == "sha256:base" && libc.path == "var/lib/dpkg/status")
        #expect(bom.packages.first { $0.name == "left-pad" }?.licenses == ["WTFPL"])
        #expect(bom.packages.first { $0.name == "left-pad" }?.path == deep)
    }

    @Test func upperLayersDeleteAndReplaceWhatLowerLayersHold() throws {
        let fixtures = try SBOMFixtures("whiteouts")
        defer { fixtures.remove() }
        let site = "usr/lib/python3/site-packages/"
        let lower = try fixtures.folder("lower", [
            "var/lib/dpkg/status": SBOMFixtures.dpkgStatus,
            site + "six-1.16.0.dist-info/METADATA": SBOMFixtures.pythonMetadata("six", "1.16.0"),
            site + "idna-3.4.dist-info/METADATA": SBOMFixtures.pythonMetadata("idna", "3.4"),
            "app/node_modules/a/package.json": #"{"name": "a", "version": "1.0.0"}"#,
            "app/node_modules/b/package.json": #"{"name": "b", "version": "2.0.0"}"#,
        ])
        // The upper layer deletes six's folder, makes node_modules opaque (keeping only c),
        // and rewrites dpkg's database with one package.
        let upper = try fixtures.folder("upper", [
            site + ".wh.six-1.16.0.dist-info": "",
            "app/node_modules/.wh..wh..opq": "",
            "app/node_modules/c/package.json": #"{"name": "c", "version": "3.0.0"}"#,
            "var/lib/dpkg/status": "Package: tzdata\nStatus: install ok installed\nVersion: 2024a-0+deb12u1\nArchitecture: all\n",
        ])
        let layers = [try inventory(try fixtures.layer(of: lower), diffID: "sha256:lower"),
                      try inventory(try fixtures.layer(of: upper, compression: "zstd"), diffID: "sha256:upper")]
        #expect(layers[1].whiteouts == [site + "six-1.16.0.dist-info"])
        #expect(layers[1].opaqueFolders == ["app/node_modules"])
        let bom = BillOfMaterials(subject: BOMSubject(kind: .folder, id: "x", name: "x"), view: LayerStack.squash(layers))
        let found = Set(bom.packages.map { "\($0.name)@\($0.layer)" })
        #expect(found == ["idna@sha256:lower", "c@sha256:upper", "tzdata@sha256:upper"])
    }

    @Test func aTruncatedLayerFailsWithItsReason() throws {
        let fixtures = try SBOMFixtures("truncated")
        defer { fixtures.remove() }
        let root = try fixtures.folder("r", ["var/lib/dpkg/status": SBOMFixtures.dpkgStatus + String(repeating: "#", count: 50_000)])
        let blob = try fixtures.layer(of: root)
        #expect(throws: LayerDecompressor.Failure.self) { _ = try inventory(Array(blob.prefix(blob.count / 2)), diffID: "t") }
        var garbage = [UInt8](repeating: 0x41, count: 2048)
        garbage[0] = 0x42
        #expect(throws: TarStream.Failure.self) { _ = try inventory(garbage, diffID: "g") }
    }
}
