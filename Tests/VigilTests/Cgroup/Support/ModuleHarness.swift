import CVigilModule
import Foundation
import VigilAggregation
import VigilModel

/// A minimal stand-in for the agent's host table, for unit tests of the C
/// check modules: it loads a module `.so`, serves a chosen list of running
/// containers, tags and instance options, and records what the module submits
/// and logs. Submissions go through the agent's real `CheckSampler`, which
/// turns RATE counters into per-second rates (honouring series epochs) just as
/// the agent does; `run()` returns what that run flushed. The real loader and
/// workload store are exercised end to end.
final class ModuleHarness {
    struct Container {
        var id: String
        var pid: Int64
        var cgroupPath: String
        var startedAt: Int64 = 1_700_000_000_000_000_000
        var state: UInt32 = UInt32(VIGIL_CONTAINER_RUNNING.rawValue)
    }

    /// A flushed point: the last value of one series in a run.
    struct Sample: Equatable {
        var name: String
        var value: Double
        var tags: [String]
    }

    /// One vigil_metric exactly as the module submitted it.
    struct Submission: Equatable {
        var name: String
        var type: UInt32
        var value: Double
        var tags: [String]
        var epoch: UInt64
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    var containers: [Container] = []
    var options: [String: String] = [:]
    /// Tags per entity id ("container_id://<id>"); unknown ids answer NOT_FOUND.
    var tags: [String: [String]] = [:]
    /// What the module submitted during the last run, before the sampler.
    private(set) var submissions: [Submission] = []
    /// The agent's sampler; committed with monotonic seconds so rates are
    /// measured against `monotonicSeconds()` in the tests.
    let sampler = CheckSampler(hostname: "test-host")
    /// Off for steady-state measurements: submissions are only counted.
    var recording = true
    private(set) var submitted = 0
    private(set) var logs: [(level: Int, message: String)] = []

    private let library: UnsafeMutableRawPointer
    private let module: UnsafePointer<vigil_module>
    private var api = vigil_host_api()
    private var instance: UnsafeMutableRawPointer?

    /// Loads lib<product>.so from the folder SwiftPM builds products into.
    init(product: String) throws {
        let path = try Self.productPath("lib\(product).so")
        guard let library = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw Failure(description: "dlopen \(path): \(String(cString: dlerror()))")
        }
        guard let symbol = dlsym(library, VIGIL_MODULE_ENTRY_SYMBOL) else {
            throw Failure(description: "\(path) exports no \(VIGIL_MODULE_ENTRY_SYMBOL)")
        }
        let entry = unsafeBitCast(symbol, to: vigil_module_entry_fn.self)
        guard let module = entry(UInt16(VIGIL_ABI_MAJOR), UInt16(VIGIL_ABI_MINOR)) else {
            throw Failure(description: "\(path) refused ABI \(VIGIL_ABI_MAJOR).\(VIGIL_ABI_MINOR)")
        }
        self.library = library
        self.module = module
        api = Self.makeTable()
    }

    deinit {
        if let instance { module.pointee.destroy(instance) }
        // Not dlclose'd: a test process may load the same module again.
    }

    var moduleName: String { String(cString: module.pointee.name) }

    /// configure(); throws with the module's message on failure.
    func configure() throws {
        let errbuf = UnsafeMutablePointer<CChar>.allocate(capacity: 512)
        defer { errbuf.deallocate() }
        errbuf[0] = 0
        var out: UnsafeMutableRawPointer?
        let status = withUnsafePointer(to: &api) { table in
            module.pointee.configure(table, hostHandle, nil, &out, errbuf, 512)
        }
        guard status == VIGIL_OK, let out else {
            throw Failure(description: "configure: \(status.rawValue) \(String(cString: errbuf))")
        }
        instance = out
    }

    /// One run; returns what it submitted.
    @discardableResult
    func run() throws -> [Sample] {
        guard let instance, let run = module.pointee.run else { throw Failure(description: "not configured") }
        let errbuf = UnsafeMutablePointer<CChar>.allocate(capacity: 512)
        defer { errbuf.deallocate() }
        submissions.removeAll()
        let status = run(instance, errbuf, 512)
        sampler.commit(time: MonotonicClock.seconds())
        let series = sampler.flush(now: 0, force: true).series
        guard status == VIGIL_OK else { throw Failure(description: "run: \(String(cString: errbuf))") }
        return series.compactMap { s in s.points.last.map { Sample(name: s.name, value: $0.value, tags: s.tags) } }
    }

    func destroy() {
        if let instance { module.pointee.destroy(instance) }
        instance = nil
    }

    // MARK: the host table

    private var hostHandle: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    fileprivate static func harness(_ host: OpaquePointer?) -> ModuleHarness {
        Unmanaged<ModuleHarness>.fromOpaque(UnsafeRawPointer(host!)).takeUnretainedValue()
    }

    private static func makeTable() -> vigil_host_api {
        var api = vigil_host_api()
        api.struct_size = UInt32(MemoryLayout<vigil_host_api>.size)
        api.abi_major = UInt16(VIGIL_ABI_MAJOR)
        api.abi_minor = UInt16(VIGIL_ABI_MINOR)
        api.submit_metrics = { host, metrics, count in
            guard let metrics else { return VIGIL_ERROR_INVALID }
            let me = ModuleHarness.harness(host)
            me.submitted += count
            guard me.recording else { return VIGIL_OK }
            let stride = Int(metrics.pointee.struct_size)
            guard stride == MemoryLayout<vigil_metric>.size else { return VIGIL_ERROR_INVALID }
            for i in 0..<count {
                let m = (UnsafeRawPointer(metrics) + i * stride).assumingMemoryBound(to: vigil_metric.self).pointee
                let tags = (0..<Int(m.tag_count)).map { String(cString: m.tags![$0]!) }
                let name = String(cString: m.name)
                me.submissions.append(Submission(name: name, type: m.type, value: m.value, tags: tags,
                                                 epoch: m.series_epoch))
                guard let type = CheckMetricType(rawValue: m.type) else { return VIGIL_ERROR_INVALID }
                // Tags in the module's order, so tests see exactly what it sent.
                me.sampler.add(key: ContextKey(name: name, host: "", tags: tags), type: type, value: m.value,
                               epoch: m.series_epoch) { (name, tags, "") }
            }
            return VIGIL_OK
        }
        api.log = { host, level, message in
            ModuleHarness.harness(host).logs.append((Int(level.rawValue), String(cString: message!)))
        }
        api.hostname = { _, buf, size in
            _ = strlcpyLike("test-host", buf, size)
            return 9
        }
        api.config_value = { host, scope, key, buf, size in
            let me = ModuleHarness.harness(host)
            guard scope == VIGIL_CONFIG_INSTANCE, let value = me.options[String(cString: key!)] else {
                if size > 0 { buf?[0] = 0 }
                return Int.max &* 2 &+ 1   // (size_t)-1
            }
            return strlcpyLike(value, buf, size)
        }
        api.entity_tags = { host, entityID, _, fn, user in
            let me = ModuleHarness.harness(host)
            guard let list = me.tags[String(cString: entityID!)] else { return VIGIL_ERROR_NOT_FOUND }
            withCStrings(list) { pointers in fn?(user, pointers, list.count) }
            return VIGIL_OK
        }
        api.list_entities = { host, kind, fn, user in
            let me = ModuleHarness.harness(host)
            guard kind == VIGIL_ENTITY_CONTAINER else { return VIGIL_OK }
            for c in me.containers {
                c.id.withCString { id in
                    c.cgroupPath.withCString { path in
                        "".withCString { empty in
                            var container = vigil_container()
                            container.struct_size = UInt32(MemoryLayout<vigil_container>.size)
                            container.state = c.state
                            container.name = id
                            container.namespace_name = empty
                            container.runtime = empty
                            container.image_ref = empty
                            container.image_id = empty
                            container.cgroup_path = path
                            container.pid = c.pid
                            container.started_at = c.startedAt
                            withUnsafePointer(to: &container) { cp in
                                var entity = vigil_entity()
                                entity.struct_size = UInt32(MemoryLayout<vigil_entity>.size)
                                entity.kind = UInt32(VIGIL_ENTITY_CONTAINER.rawValue)
                                entity.id = id
                                entity.container = cp
                                fn?(user, &entity)
                            }
                        }
                    }
                }
            }
            return VIGIL_OK
        }
        return api
    }

    static func productPath(_ file: String) throws -> String {
        var candidates: [String] = []
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = argv0.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(folder.appendingPathComponent(file).path)
            folder = folder.deletingLastPathComponent()
        }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        throw Failure(description: "\(file) not found near \(argv0.path); run `swift build` first")
    }
}

/// Copies `text` into a C buffer like snprintf; returns the full length.
private func strlcpyLike(_ text: String, _ buf: UnsafeMutablePointer<CChar>?, _ size: Int) -> Int {
    let bytes = Array(text.utf8)
    if let buf, size > 0 {
        let n = min(bytes.count, size - 1)
        for i in 0..<n { buf[i] = CChar(bitPattern: bytes[i]) }
        buf[n] = 0
    }
    return bytes.count
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer<CChar>($0) }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

extension Array where Element == ModuleHarness.Sample {
    func values(_ name: String) -> [Double] { filter { $0.name == name }.map(\.value) }
    func value(_ name: String, tag: String? = nil) -> Double? {
        first { $0.name == name && (tag == nil || $0.tags.contains(tag!)) }?.value
    }
}
