import Foundation
import Logging
import Testing
@testable import VigilModules

/// What someone who can write a folder on a module's path gets: nothing. Each
/// planted module carries a constructor that leaves a marker file if it ever
/// runs; a refusal must come before `dlopen`, so the marker never appears.
@Suite struct ModuleFileTrustTests {
    static let logger = Logger(label: "test")

    /// A module whose load would be visible: its constructor writes `marker`.
    func plant(_ b: ModuleBuilder, folder: String, name: String, marker: String) throws -> String {
        let built = try b.compile(source: """
            #include <stdio.h>
            __attribute__((constructor)) static void planted(void) {
                FILE *f = fopen("\(marker)", "w"); if (f) fclose(f);
            }
            """ + (try String(contentsOfFile: ModuleBuilder.exampleSource, encoding: .utf8)), into: name)
        let target = folder + "/" + name
        if target != built { try FileManager.default.moveItem(atPath: built, toPath: target) }
        return target
    }

    func refusal(_ path: String) -> String? {
        let dir = (path as NSString).deletingLastPathComponent
        let result = ModuleLoader.load(directories: [dir], logger: Self.logger)
        guard case let .refused(reason)? = result.records.first(where: { $0.path == path })?.status else { return nil }
        return reason
    }

    func folder(_ b: ModuleBuilder, _ relative: String, mode: mode_t) throws -> String {
        let path = b.path(relative)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, mode)
        return path
    }

    @Test func aFileOwnedByAnotherUserIsRefused() throws {
        let b = try ModuleBuilder()
        defer { b.remove() }
        let marker = b.path("ran")
        let module = try plant(b, folder: b.directory.path, name: "nobody.so", marker: marker)
        try #require(chown(module, 65534, 65534) == 0, "the test runs as root")
        let reason = try #require(refusal(module))
        #expect(reason.contains("owned by uid 65534"))
        #expect(reason.contains(module))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func aWorldWritableFolderIsRefusedAndNamed() throws {
        let b = try ModuleBuilder()
        defer { b.remove() }
        let open = try folder(b, "open", mode: 0o777)
        let marker = b.path("ran")
        let module = try plant(b, folder: open, name: "m.so", marker: marker)
        let reason = try #require(refusal(module))
        #expect(reason.contains("folder \(open) is group- or world-writable (mode 777)"))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func aStickyFolderIsRefusedToo() throws {
        let b = try ModuleBuilder()
        defer { b.remove() }
        let sticky = try folder(b, "sticky", mode: 0o1777)
        let marker = b.path("ran")
        let module = try plant(b, folder: sticky, name: "m.so", marker: marker)
        try #require(chown(module, 65534, 65534) == 0)
        let reason = try #require(refusal(module))
        #expect(reason.contains("owned by uid 65534"))
        chown(module, 0, 0)
        let again = try #require(refusal(module))
        #expect(again.contains("folder \(sticky) is group- or world-writable (mode 1777, sticky)"))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func aWritableFolderHigherUpIsRefusedByName() throws {
        let b = try ModuleBuilder()
        defer { b.remove() }
        let wide = try folder(b, "wide", mode: 0o777)
        let inner = try folder(b, "wide/inner", mode: 0o755)
        let marker = b.path("ran")
        let module = try plant(b, folder: inner, name: "m.so", marker: marker)
        let reason = try #require(refusal(module))
        #expect(reason.contains("folder \(wide) is group- or world-writable"))
        #expect(!reason.contains("folder \(inner) "))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func aSymlinkIsJudgedAtBothEnds() throws {
        let b = try ModuleBuilder()
        defer { b.remove() }
        let open = try folder(b, "open", mode: 0o777)
        let safe = try folder(b, "safe", mode: 0o755)
        let marker = b.path("ran")
        let planted = try plant(b, folder: open, name: "planted.so", marker: marker)
        try FileManager.default.createSymbolicLink(atPath: safe + "/link.so", withDestinationPath: planted)
        #expect(refusal(safe + "/link.so")?.contains("folder \(open) is group- or world-writable") == true)

        let real = try plant(b, folder: safe, name: "real.so", marker: marker)
        try FileManager.default.createSymbolicLink(atPath: open + "/link.so", withDestinationPath: real)
        #expect(ModuleFileTrust.problem(path: open + "/link.so")?.contains("folder \(open)") == true)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func aGroupWritableFileIsRefused() throws {
        let b = try ModuleBuilder()
        defer { b.remove() }
        let module = try b.compile(file: ModuleBuilder.exampleSource, into: "m.so")
        chmod(module, 0o775)
        #expect(refusal(module)?.contains("is group- or world-writable (mode 775)") == true)
    }

    @Test func whatIsNotAnELFSharedObjectIsNamedBeforeLoading() throws {
        let b = try ModuleBuilder()
        defer { b.remove() }
        try "ab\n".write(toFile: b.path("short.so"), atomically: true, encoding: .utf8)
        try String(repeating: "text that is no ELF file\n", count: 4).write(toFile: b.path("text.so"), atomically: true,
                                                                             encoding: .utf8)
        try b.compile(source: "int main(void) { return 0; }\n", into: "program.so", flags: ["-no-pie"])
        try b.run("/usr/bin/cc", ["-c", "-x", "c", "/dev/null", "-o", b.path("object.so")])
        for name in ["short.so", "text.so", "object.so"] { chmod(b.path(name), 0o644) }
        #expect(refusal(b.path("short.so")) == "not an ELF shared object (only 3 bytes)")
        #expect(refusal(b.path("text.so")) == "not an ELF shared object (no ELF magic)")
        #expect(refusal(b.path("object.so"))?.hasPrefix("an object file (.o), not linked, not a shared object") == true)
    }

    @Test func headersOfOtherMachinesAndClasses() {
        var header = [UInt8](repeating: 0, count: 20)
        header[0...3] = [0x7F, 0x45, 0x4C, 0x46]
        header[4] = 1
        header[5] = 1
        #expect(ELFCheck.problem(header: header)?.contains("32-bit") == true)
        header[4] = 2
        header[16] = 3
        header[18] = 40  // EM_ARM
        #expect(ELFCheck.problem(header: header)?.contains("another machine (ELF e_machine 40") == true)
        header[18] = UInt8(ELFCheck.hostMachine)
        #expect(ELFCheck.problem(header: header) == nil)
        header[16] = 2
        #expect(ELFCheck.problem(header: header)?.hasPrefix("an executable") == true)
        #expect(ELFCheck.problem(header: Array(header.prefix(10)))?.contains("truncated header, 10 bytes") == true)
    }
}
