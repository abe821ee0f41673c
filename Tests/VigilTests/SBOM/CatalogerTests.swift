import Foundation
import SBOMScanner
import Testing

/// Catalogers on real files: Debian's own Go binary, a jar written by python3's zipfile,
/// rpm databases built here (SQLite, and Berkeley DB by db_load); and every document validated against CycloneDX 1.6.
@Suite struct CatalogerTests {
    @Test func goModulesComeFromARealBinarysBuildInfo() throws {
        let fixtures = try SBOMFixtures("go")
        defer { fixtures.remove() }
        let root = try fixtures.folder("root", [:])
        try FileManager.default.createDirectory(at: root.appendingPathComponent("usr/bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/usr/bin/ctr", toPath: root.appendingPathComponent("usr/bin/ctr").path)
        let inventory = try FolderScanner(root: root.path).scan()
        let packages = inventory.files["usr/bin/ctr"]?.packages ?? []
        #expect(packages.map(\.name) == ["github.com/containerd/containerd/cmd/ctr", "stdlib"])
        #expect(packages.last?.version.hasPrefix("go1.") == true)
        #expect(packages.first?.purl(os: nil) == "pkg:golang/github.com/containerd/containerd/cmd/ctr@%28devel%29")
    }

    @Test func javaArchivesNameTheirMavenCoordinatesAndNestedJars() throws {
        let fixtures = try SBOMFixtures("java")
        defer { fixtures.remove() }
        let jar = fixtures.directory.appendingPathComponent("app-1.2.jar")
        let script = """
            import io, zipfile, sys
            inner = io.BytesIO()
            with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("META-INF/maven/org.example/inner/pom.properties", "groupId=org.example\\nartifactId=inner\\nversion=0.9\\n")
            tool = io.BytesIO()
            with zipfile.ZipFile(tool, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\\r\\nImplementation-Title: Tool\\r\\nImplementation-Version: 3.8.7\\r\\n")
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\\r\\nImplementation-Version: 1.2\\r\\n")
                z.writestr("lib/tool.jar", tool.getvalue(), zipfile.ZIP_STORED)
                z.writestr("META-INF/maven/com.acme/app/pom.properties", "# generated\\ngroupId=com.acme\\nartifactId=app\\nversion=1.2\\n")
                z.writestr("lib/inner-0.9.jar", inner.getvalue(), zipfile.ZIP_STORED)
            """
        try fixtures.run("/usr/bin/python3", ["-c", script, jar.path])
        let found = Catalogers.read(.javaArchive, path: "opt/app-1.2.jar", content: [UInt8](try Data(contentsOf: jar)), layer: "")
        #expect(Set(found.packages.map { "\($0.group):\($0.name):\($0.version)" }) == ["com.acme:app:1.2", "org.example:inner:0.9", ":tool:3.8.7"],
                "a CRLF manifest's version; an archive with no pom named by its file")
        #expect(found.packages.first?.purl(os: nil) == "pkg:maven/com.acme/app@1.2")
    }

    /// Python that writes rpm header blobs: index entries (tag, type, offset, count), then
    /// the data, big-endian, as rpm stores them in either database form.
    static let rpmHeaders = """
        import struct, sys
        def header(fields):
            index, data = b"", b""
            for tag, kind, value in fields:
                if kind == 4:
                    payload = struct.pack(">I", value)
                else:
                    payload = value.encode() + b"\\0"
                index += struct.pack(">IIII", tag, kind, len(data), 1)
                data += payload
            return struct.pack(">II", len(fields), len(data)) + index + data
        bash = header([(1000, 6, "bash"), (1001, 6, "5.1.8"), (1002, 6, "9.el9"), (1014, 6, "GPLv3+"), (1022, 6, "x86_64")])
        # The description makes this header longer than two 4 KiB pages: a chain of overflow pages.
        openssl = header([(1000, 6, "openssl"), (1001, 6, "3.0.7"), (1002, 6, "27.el9"), (1003, 4, 1), (1005, 6, "x" * 9000), (1022, 6, "x86_64")])
        key = header([(1000, 6, "gpg-pubkey"), (1001, 6, "fd431d51"), (1002, 6, "4ae0493b")])

        """

    @Test func rpmPackagesComeFromTheSQLiteDatabaseInMemory() throws {
        let fixtures = try SBOMFixtures("rpm")
        defer { fixtures.remove() }
        let database = fixtures.directory.appendingPathComponent("rpmdb.sqlite")
        let script = Self.rpmHeaders + """
            import sqlite3
            db = sqlite3.connect(sys.argv[1])
            db.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
            for blob in (bash, openssl, key):
                db.execute("INSERT INTO Packages(blob) VALUES (?)", (blob,))
            db.commit()
            """
        try fixtures.run("/usr/bin/python3", ["-c", script, database.path])
        let found = Catalogers.read(.rpmSQLite, path: "var/lib/rpm/rpmdb.sqlite", content: [UInt8](try Data(contentsOf: database)), layer: "")
        #expect(found.packages.map { "\($0.name) \($0.version) \($0.architecture)" } == ["bash 5.1.8-9.el9 x86_64", "openssl 1:3.0.7-27.el9 x86_64"])
        #expect(found.packages.first?.licenses == ["GPLv3+"])
    }

    /// CentOS 7's and Amazon Linux 2's `Packages`, written by Berkeley DB's own db_load in
    /// both byte orders: small headers inline on hash pages, a long one on overflow pages,
    /// rpm's record 0 (its counter) skipped.
    @Test(arguments: ["1234", "4321"])
    func rpmPackagesComeFromTheBerkeleyDatabase(byteOrder: String) throws {
        let fixtures = try SBOMFixtures("rpmbdb")
        defer { fixtures.remove() }
        let root = try fixtures.folder("root", [:])
        try FileManager.default.createDirectory(at: root.appendingPathComponent("var/lib/rpm"), withIntermediateDirectories: true)
        let dump = fixtures.directory.appendingPathComponent("packages.dump")
        let script = Self.rpmHeaders + """
            records = [(0, struct.pack("<I", 3))] + [(n + 1, blob) for n, blob in enumerate((bash, openssl, key))]
            with open(sys.argv[1], "w") as out:
                out.write("VERSION=3\\nformat=bytevalue\\ntype=hash\\ndb_pagesize=4096\\nHEADER=END\\n")
                for number, blob in records:
                    out.write(" " + struct.pack("<I", number).hex() + "\\n " + blob.hex() + "\\n")
                out.write("DATA=END\\n")
            """
        try fixtures.run("/usr/bin/python3", ["-c", script, dump.path])
        let packagesFile = root.appendingPathComponent("var/lib/rpm/Packages")
        try fixtures.run("/usr/bin/db5.3_load", ["-f", dump.path, "-c", "db_lorder=\(byteOrder)", packagesFile.path])
        #expect(CatalogedFile.kind(of: "var/lib/rpm/Packages", executable: false) == .rpmBerkeleyDB)

        let inventory = try FolderScanner(root: root.path).scan()
        let packages = (inventory.files["var/lib/rpm/Packages"]?.packages ?? []).sorted { $0.name < $1.name }
        #expect(packages.map { "\($0.name) \($0.version) \($0.architecture)" } == ["bash 5.1.8-9.el9 x86_64", "openssl 1:3.0.7-27.el9 x86_64"])
        #expect(packages.first?.licenses == ["GPLv3+"])

        // Cut inside the overflow chain: what cannot be read whole is not guessed at.
        let content = [UInt8](try Data(contentsOf: packagesFile))
        let truncated = Catalogers.read(.rpmBerkeleyDB, path: "var/lib/rpm/Packages", content: Array(content.prefix(content.count - 4096)), layer: "")
        #expect(truncated.packages.isEmpty)
        #expect(Catalogers.read(.rpmBerkeleyDB, path: "var/lib/rpm/Packages", content: [UInt8](repeating: 7, count: 8192), layer: "").packages.isEmpty)
    }

    @Test func apkAndPythonFieldsAsTheirDatabasesWriteThem() {
        let apk = """
            C:Q1abc=
            P:musl
            V:1.2.4-r2
            A:x86_64
            L:MIT
            o:musl
            F:lib
            R:libc.musl-x86_64.so.1

            P:busybox-binsh
            V:1.36.1-r5
            A:x86_64
            L:GPL-2.0-only
            o:busybox

            """
        let packages = Catalogers.read(.apkInstalled, path: "lib/apk/db/installed", content: Array(apk.utf8), layer: "").packages
        #expect(packages.map { "\($0.name) \($0.version) \($0.licenses)" } == ["musl 1.2.4-r2 [\"MIT\"]", "busybox-binsh 1.36.1-r5 [\"GPL-2.0-only\"]"])
        let alpine = OSRelease(id: "alpine", versionID: "3.19.1", prettyName: "", name: "Alpine")
        #expect(packages[1].purl(os: alpine) == "pkg:apk/alpine/busybox-binsh@1.36.1-r5?arch=x86_64&distro=alpine-3.19.1&upstream=busybox")
        let python = Catalogers.read(.pythonMetadata, path: "x.dist-info/METADATA",
                                     content: Array(SBOMFixtures.pythonMetadata("six", "1.16.0").utf8), layer: "").packages
        #expect(python.map(\.name) == ["six"], "fields after the blank line are the description")
        #expect(python.first?.licenses == ["MIT"])
    }

    @Test func documentsValidateAgainstCycloneDX16() throws {
        let fixtures = try SBOMFixtures("cdx")
        defer { fixtures.remove() }
        let root = try fixtures.folder("root", [
            "var/lib/dpkg/status": SBOMFixtures.dpkgStatus, "etc/os-release": SBOMFixtures.osRelease,
            "usr/share/doc/libc6/copyright": "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: LGPL-2.1+\n",
            "srv/node_modules/@scope/pkg/package.json": #"{"name": "@scope/pkg", "version": "0.1.0", "licenses": [{"type": "ISC"}]}"#,
        ])
        let bom = BillOfMaterials(
            subject: BOMSubject(kind: .image, id: "sha256:abc", name: "docker.io/library/x", repoTags: ["docker.io/library/x:1"]),
            view: LayerStack.squash([try FolderScanner(root: root.path).scan()]))
        #expect(bom.packages.first { $0.name == "libc6" }?.licenses == ["LGPL-2.1+"], "licenses joined from the copyright file")
        #expect(bom.packages.first { $0.name == "@scope/pkg" }?.purl(os: nil) == "pkg:npm/%40scope/pkg@0.1.0")
        let file = fixtures.directory.appendingPathComponent("bom.json")
        try Data(CycloneDX.document(bom)).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", FileManager.default.currentDirectoryPath + "/scripts/validate-cyclonedx.py", file.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(said)")
    }
}
