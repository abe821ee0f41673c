import CVigilSystem
import Foundation
import VigilConfig
import VigilDogStatsD
import VigilModel

/// `vigil-bench dogstatsd [seconds]`:
/// 1. the Unix datagram socket: Vigil's processed metrics/s per core beside
///    a bare recvmmsg loop fed by the same sender (the machine's ceiling);
/// 2. the in-process cost of parse + key + aggregate per metric, and
///    allocations per metric in steady state, counted by a malloc
///    interposer (the benchmark re-runs itself under LD_PRELOAD);
/// 3. UDP: one identical stream against Vigil and against collectd's statsd
///    plugin, processed rates and drops side by side, then Vigil again with
///    the full tagged DogStatsD stream.
enum DogStatsDBenchmark {
    static func run(_ arguments: [String]) async throws {
        if arguments.first == "alloc-child" { return try allocationChild() }
        if arguments.first == "ingest" { return try ingestCost(seconds: Double(arguments.dropFirst().first ?? "") ?? 2) }
        if arguments.first == "udp" { return try udpComparison(seconds: Double(arguments.dropFirst().first ?? "") ?? 4) }
        let seconds = Double(arguments.first ?? "") ?? 4
        let tagged = Workload(contexts: 10_000, tagsPerMetric: 5, packetBytes: 8192)
        say("DogStatsD benchmark: \(tagged.packets.count) distinct packets of ~\(tagged.averagePacketBytes) bytes, "
            + "\(Int(tagged.averageMetricsPerPacket)) metrics each, 10k contexts, 5 tags per metric; \(seconds) s per run")

        let raw = try rawDatagramBaseline(tagged, seconds: seconds)
        say(String(format: "  uds raw recvmmsg ceiling : %12.0f packets/s = %12.0f metrics/s  (%.2f cores)",
                     raw.packetsPerSecond, raw.packetsPerSecond * tagged.averageMetricsPerPacket, raw.cores))
        for workers in [0, 1, 2] {
            let vigil = try vigilDatagram(tagged, seconds: seconds, workers: workers)
            say(String(format: "  vigil uds datagram, %d worker%@: %10.0f metrics/s  (%.2f cores) = %10.0f metrics/s per core, %.0f%% of the raw ceiling",
                         workers, workers == 1 ? " " : "s", vigil.metricsPerSecond, vigil.cores,
                         vigil.metricsPerSecond / max(vigil.cores, 0.01),
                         100 * vigil.metricsPerSecond / (raw.packetsPerSecond * tagged.averageMetricsPerPacket)))
        }

        try ingestCost(seconds: min(seconds, 2))
        try allocationsPerMetric()
        try udpComparison(seconds: seconds)
    }

    /// Unbuffered, so figures show up as they are measured even when piped.
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    // MARK: workload

    struct Workload {
        let packets: [[UInt8]]
        let metricsPerPacket: Int
        /// The sender cycles through the packets evenly, so this converts packets to metrics.
        let averageMetricsPerPacket: Double
        var averagePacketBytes: Int { packets.reduce(0) { $0 + $1.count } / packets.count }

        /// Packets of realistic DogStatsD lines cycling through `contexts`
        /// contexts (70% counts, 20% gauges, 10% histograms). Without tags
        /// the lines are plain statsd, which collectd also understands.
        init(contexts: Int, tagsPerMetric: Int, packetBytes: Int, plainTypesOnly: Bool = false) {
            var packets: [[UInt8]] = []
            var context = 0
            var perPacket = Int.max
            var total = 0
            var sequence = 0
            while packets.count < 256 {
                var packet: [UInt8] = []
                var count = 0
                while true {
                    let i = context % contexts
                    let type = plainTypesOnly ? (i % 10 < 8 ? "c" : "g") : (i % 10 < 7 ? "c" : i % 10 < 9 ? "g" : "h")
                    var line = "app.request.metric_\(i % 500):\(sequence % 1000).\(sequence % 7)|\(type)"
                    if tagsPerMetric > 0 {
                        let tags = ["env:production", "service:checkout-\(i / 500)", "region:eu-west-\(i % 3)",
                                    "version:1.\(i % 4).0", "team:payments"].prefix(tagsPerMetric)
                        line += "|#" + tags.joined(separator: ",")
                    }
                    line += "\n"
                    if packet.count + line.utf8.count > packetBytes { break }
                    packet += line.utf8
                    context += 1
                    sequence += 1
                    count += 1
                }
                perPacket = min(perPacket, count)
                total += count
                packets.append(packet)
            }
            self.packets = packets
            self.metricsPerPacket = perPacket
            self.averageMetricsPerPacket = Double(total) / Double(packets.count)
        }
    }

    struct Rate {
        var packetsPerSecond = 0.0
        var metricsPerSecond = 0.0
        var cores = 0.0
        var sent = 0
        var kernelDrops = 0
        /// Vigil's own count of the same kernel drops (SO_RXQ_OVFL), to check its status figure; nil for collectd.
        var selfReportedKernelDrops: Int?
    }

    // MARK: sender

    /// Sends packets on a connected socket from its own thread until told to
    /// stop; reports how many went out and the CPU time it used, so that the
    /// receiver's share of the process CPU can be isolated.
    final class Sender: @unchecked Sendable {
        private let fd: Int32
        private let workload: Workload
        private let stopFlag = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        private let done = DispatchSemaphore(value: 0)
        private(set) var sent = 0
        private(set) var cpuSeconds = 0.0

        init(fd: Int32, workload: Workload) {
            self.fd = fd
            self.workload = workload
            stopFlag.pointee = 0
        }

        func start() {
            Thread { [self] in
                var i = 0
                let start = threadCPUSeconds()
                while stopFlag.pointee == 0 {
                    let p = workload.packets[i % workload.packets.count]
                    let n = p.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                    if n > 0 { sent += 1; i += 1 } else { usleep(0) }
                }
                cpuSeconds = threadCPUSeconds() - start
                done.signal()
            }.start()
        }

        func stop() {
            stopFlag.pointee = 1
            done.wait()
            stopFlag.deallocate()
        }
    }

    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    static func connectedUnixDatagram(to path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        var size = Int32(4 << 20)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, 4)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { throw BenchmarkError("connect \(path): errno \(errno)") }
        return fd
    }

    static func connectedUDP(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw BenchmarkError("connect udp \(port): errno \(errno)") }
        return fd
    }

    struct BenchmarkError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    static func tempDirectory() throws -> String {
        let dir = "/tmp/vigil-bench-dsd-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    // MARK: 1. Unix datagram

    /// A bare recvmmsg loop that only counts: what the kernel and this
    /// machine can deliver on a Unix datagram socket.
    static func rawDatagramBaseline(_ workload: Workload, seconds: Double) throws -> Rate {
        let dir = try tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/raw.socket"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        final class Box: @unchecked Sendable { var packets = 0; var stop = false; var cpu = 0.0 }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Thread {
            let batch = vigil_recv_batch_create(32, 8192)
            let start = threadCPUSeconds()
            while !box.stop {
                let n = vigil_recv_batch_receive(fd, batch)
                if n > 0 { box.packets += Int(n) }
            }
            box.cpu = threadCPUSeconds() - start
            vigil_recv_batch_destroy(batch)
            done.signal()
        }.start()
        let sender = Sender(fd: try connectedUnixDatagram(to: path), workload: workload)
        sender.start()
        Thread.sleep(forTimeInterval: 0.5)
        let p0 = box.packets
        let t0 = Date()
        let c0 = processCPUSeconds()
        Thread.sleep(forTimeInterval: seconds)
        let p1 = box.packets
        let elapsed = Date().timeIntervalSince(t0)
        let cpu = processCPUSeconds() - c0
        sender.stop()
        box.stop = true
        done.wait()
        close(fd)
        // The receiver's cores: process CPU minus the sender's share.
        return Rate(packetsPerSecond: Double(p1 - p0) / elapsed, cores: max(0, cpu - sender.cpuSeconds * (seconds / (seconds + 0.5))) / elapsed)
    }

    static func vigilDatagram(_ workload: Workload, seconds: Double, workers: Int) throws -> Rate {
        let dir = try tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try AgentConfig.fromYAML(
            "run_path: \(dir)\ndogstatsd_socket_dir: \(dir)\ndogstatsd_port: 0\ndogstatsd_so_rcvbuf: 8388608\ndogstatsd_pipeline_count: \(workers)\n",
            baseDirectory: dir)
        let server = try DogStatsDServer(config: config, hostname: "bench", tagProvider: nil)
        try server.start()
        defer { server.stop() }
        let sender = Sender(fd: try connectedUnixDatagram(to: dir + "/dsd.socket"), workload: workload)
        sender.start()
        Thread.sleep(forTimeInterval: 0.5)
        let m0 = server.totals().metrics
        let t0 = Date()
        let c0 = processCPUSeconds()
        let s0 = sender.sent
        Thread.sleep(forTimeInterval: seconds)
        let m1 = server.totals().metrics
        let elapsed = Date().timeIntervalSince(t0)
        let cpu = processCPUSeconds() - c0
        let s1 = sender.sent
        sender.stop()
        let senderShare = sender.cpuSeconds * Double(s1 - s0) / Double(max(sender.sent, 1))
        let totals = server.totals()
        if totals.queueDrops > 0 || totals.parseErrors > 0 {
            say("  (vigil uds: \(totals.queueDrops) packets dropped at the queue, \(totals.parseErrors) parse errors)")
        }
        return Rate(metricsPerSecond: Double(m1 - m0) / elapsed, cores: max(0.01, cpu - senderShare) / elapsed)
    }

    // MARK: in-process cost

    /// `vigil-bench dogstatsd ingest [seconds]`: parse + tag + aggregate on
    /// one thread with no sockets, in ns per metric, for the plain and the
    /// tagged stream. The figure to profile the hot path with.
    static func ingestCost(seconds: Double) throws {
        for (label, workload) in [
            ("plain statsd, ~1.4 KB packets", Workload(contexts: 10_000, tagsPerMetric: 0, packetBytes: 1400, plainTypesOnly: true)),
            ("5 tags, ~8 KB packets", Workload(contexts: 10_000, tagsPerMetric: 5, packetBytes: 8192)),
        ] {
            let config = try AgentConfig.fromYAML("dogstatsd_socket: \"\"\ndogstatsd_port: 0\n", baseDirectory: "/tmp")
            let server = try DogStatsDServer(config: config, hostname: "bench", tagProvider: nil)
            var now = 1_700_000_001.0
            for p in workload.packets { p.withUnsafeBytes { server.ingest($0, now: now) } }
            let metrics0 = server.totals().metrics
            let t0 = Date()
            var rounds = 0
            var flushes: [Double] = []
            var locks: [Double] = []
            while Date().timeIntervalSince(t0) < seconds {
                for p in workload.packets { p.withUnsafeBytes { server.ingest($0, now: now) } }
                rounds += 1
                now += 0.05
                if rounds % 200 == 0 {
                    let f0 = Date()
                    _ = server.flush(now: now, force: false)
                    flushes.append(Date().timeIntervalSince(f0))
                    locks.append(server.totals().lastFlushLockSeconds)
                }
            }
            let elapsed = Date().timeIntervalSince(t0)
            let metrics = server.totals().metrics - metrics0
            // While a flush holds the aggregator, readers that parse in place stop reading.
            func ms(_ xs: [Double]) -> (Double, Double) { (1000 * xs.reduce(0, +) / Double(xs.count), 1000 * (xs.max() ?? 0)) }
            let (flushAvg, flushMax) = ms(flushes)
            let (lockAvg, lockMax) = ms(locks)
            let flushText = flushes.isEmpty ? "" : String(format: "\n      flush of %d contexts: %.1f ms (max %.1f), of which the aggregator is held %.1f ms (max %.1f)",
                                                         server.totals().liveContexts, flushAvg, flushMax, lockAvg, lockMax)
            say(String(format: "  ingest, %@: %.1f ns/metric = %.2fM metrics/s on one core%@",
                         label, elapsed * 1e9 / Double(metrics), Double(metrics) / elapsed / 1e6, flushText))
        }
    }

    // MARK: 2. allocations

    static let mallocCounterSource = #"""
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <stddef.h>
        static unsigned long count;
        static void *(*real_malloc)(size_t);
        static void *(*real_calloc)(size_t, size_t);
        static void *(*real_realloc)(void *, size_t);
        static int (*real_memalign)(void **, size_t, size_t);
        static char bootstrap[65536]; static size_t used;
        unsigned long vigil_malloc_count(void) { return __atomic_load_n(&count, __ATOMIC_RELAXED); }
        void *malloc(size_t n) {
            if (!real_malloc) real_malloc = dlsym(RTLD_NEXT, "malloc");
            __atomic_fetch_add(&count, 1, __ATOMIC_RELAXED);
            return real_malloc(n);
        }
        void *calloc(size_t a, size_t b) {
            if (!real_calloc) {
                /* dlsym itself calls calloc: serve it from a static area. */
                size_t n = (a * b + 15) & ~15UL; void *p = bootstrap + used; used += n; 
                real_calloc = dlsym(RTLD_NEXT, "calloc");
                if (!real_calloc) return p;
            }
            __atomic_fetch_add(&count, 1, __ATOMIC_RELAXED);
            return real_calloc(a, b);
        }
        void *realloc(void *p, size_t n) {
            if (!real_realloc) real_realloc = dlsym(RTLD_NEXT, "realloc");
            __atomic_fetch_add(&count, 1, __ATOMIC_RELAXED);
            return real_realloc(p, n);
        }
        int posix_memalign(void **p, size_t a, size_t n) {
            if (!real_memalign) real_memalign = dlsym(RTLD_NEXT, "posix_memalign");
            __atomic_fetch_add(&count, 1, __ATOMIC_RELAXED);
            return real_memalign(p, a, n);
        }
        """#

    /// Builds the interposer and re-runs this benchmark under it.
    static func allocationsPerMetric() throws {
        let dir = try tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try mallocCounterSource.write(toFile: dir + "/mc.c", atomically: true, encoding: .utf8)
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
        cc.arguments = ["-shared", "-fPIC", "-O2", "-o", dir + "/mc.so", dir + "/mc.c", "-ldl"]
        try cc.run()
        cc.waitUntilExit()
        guard cc.terminationStatus == 0 else { throw BenchmarkError("cannot build the malloc counter") }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        child.arguments = ["dogstatsd", "alloc-child"]
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = dir + "/mc.so"
        child.environment = environment
        try child.run()
        child.waitUntilExit()
    }

    /// Runs under the interposer: warms every context up, then counts the
    /// mallocs of a steady-state pass over the same packets.
    static func allocationChild() throws {
        guard let symbol = dlsym(nil, "vigil_malloc_count") else {
            say("  allocations: malloc counter not loaded")
            return
        }
        let mallocs = unsafeBitCast(symbol, to: (@convention(c) () -> UInt).self)
        for (label, workload) in [
            ("counts+gauges, 5 tags", Workload(contexts: 10_000, tagsPerMetric: 5, packetBytes: 8192, plainTypesOnly: true)),
            ("with 10% histograms", Workload(contexts: 10_000, tagsPerMetric: 5, packetBytes: 8192)),
        ] {
            let config = try AgentConfig.fromYAML("dogstatsd_socket: \"\"\ndogstatsd_port: 0\n", baseDirectory: "/tmp")
            let server = try DogStatsDServer(config: config, hostname: "bench", tagProvider: nil)
            let now = 1_700_000_001.0
            // Two warm passes: every context seen, every histogram array grown.
            for _ in 0..<2 {
                for p in workload.packets { p.withUnsafeBytes { server.ingest($0, now: now) } }
            }
            let metrics0 = server.totals().metrics
            let before = mallocs()
            for p in workload.packets { p.withUnsafeBytes { server.ingest($0, now: now) } }
            let allocations = mallocs() - before
            let metrics = server.totals().metrics - metrics0
            say(String(format: "  allocations (%@): %lu mallocs for %d metrics = %.4f per metric",
                         label, allocations, metrics, Double(allocations) / Double(metrics)))
        }
    }

    // MARK: 3. UDP against collectd

    static func udpComparison(seconds: Double) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/collectd") else {
            say("  udp vs collectd: /usr/sbin/collectd not installed (apt-get install collectd-core)")
            return
        }
        // collectd's statsd plugin reads at most 4 KB per datagram and knows no tags:
        // its best case is plain statsd lines in ~1.4 KB packets.
        let plain = Workload(contexts: 10_000, tagsPerMetric: 0, packetBytes: 1400, plainTypesOnly: true)
        let tagged = Workload(contexts: 10_000, tagsPerMetric: 5, packetBytes: 1400, plainTypesOnly: true)
        say("  udp, ~\(Int(plain.averageMetricsPerPacket)) plain / \(Int(tagged.averageMetricsPerPacket)) tagged metrics per ~1.4 KB packet, sender at full speed:")
        let c = try collectdUDP(plain, seconds: seconds)
        let v = try vigilUDP(plain, seconds: seconds, workers: 1)
        let v0 = try vigilUDP(plain, seconds: seconds, workers: 0)
        let vt = try vigilUDP(tagged, seconds: seconds, workers: 1)
        let vt0 = try vigilUDP(tagged, seconds: seconds, workers: 0)
        for (label, rate) in [("collectd statsd, plain", c), ("vigil, same plain stream", v), ("vigil, plain, 0 workers", v0),
                              ("vigil, 5 tags per metric", vt), ("vigil, 5 tags, 0 workers", vt0)] {
            let own = rate.selfReportedKernelDrops.map { ", \($0) in its own status" } ?? ""
            say(String(format: "    %-26@ processed %10.0f metrics/s (%.2f cores), sent %d packets, drops %d (%.1f%%%@)",
                         label as NSString, rate.metricsPerSecond, rate.cores, rate.sent, rate.kernelDrops,
                         100 * Double(rate.kernelDrops) / Double(max(rate.sent, 1)), own as NSString))
        }
    }

    /// Kernel drop counter of the UDP socket bound to `port` (/proc/net/udp).
    static func udpDrops(port: Int) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/net/udp", encoding: .utf8) else { return 0 }
        let wanted = String(format: ":%04X", port)
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 12, fields[1].hasSuffix(wanted) else { continue }
            return Int(fields.last!) ?? 0
        }
        return 0
    }

    static func udpSocketExists(port: Int) -> Bool {
        let wanted = String(format: ":%04X", port)
        let text = (try? String(contentsOfFile: "/proc/net/udp", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").contains { $0.split(separator: " ").dropFirst().first?.hasSuffix(wanted) == true }
    }

    static func collectdUDP(_ workload: Workload, seconds: Double) throws -> Rate {
        let dir = try tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = Int.random(in: 20_000..<60_000)
        let conf = """
            Hostname "bench"
            BaseDir "\(dir)"
            PIDFile "\(dir)/collectd.pid"
            Interval 10
            ReadThreads 1
            LoadPlugin statsd
            <Plugin statsd>
              Host "127.0.0.1"
              Port "\(port)"
            </Plugin>

            """
        try conf.write(toFile: dir + "/collectd.conf", atomically: true, encoding: .utf8)
        let collectd = Process()
        collectd.executableURL = URL(fileURLWithPath: "/usr/sbin/collectd")
        collectd.arguments = ["-C", dir + "/collectd.conf", "-f"]
        FileManager.default.createFile(atPath: dir + "/collectd.log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/collectd.log"))
        collectd.standardOutput = log
        collectd.standardError = log
        try collectd.run()
        defer {
            // SIGKILL: collectd started through Foundation's Process may inherit a blocked SIGTERM.
            kill(collectd.processIdentifier, SIGKILL)
            collectd.waitUntilExit()
        }
        Thread.sleep(forTimeInterval: 1)
        guard collectd.isRunning, udpSocketExists(port: port) else {
            throw BenchmarkError("collectd did not start: " + ((try? String(contentsOfFile: dir + "/collectd.log", encoding: .utf8)) ?? ""))
        }
        return try measureUDP(workload, port: port, seconds: seconds, cpu: { processCPU(pid: collectd.processIdentifier) },
                              processed: nil)
    }

    static func processCPU(pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / ticks
    }

    static func vigilUDP(_ workload: Workload, seconds: Double, workers: Int) throws -> Rate {
        let dir = try tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for _ in 0..<8 {
            let port = Int.random(in: 20_000..<60_000)
            let config = try AgentConfig.fromYAML("dogstatsd_socket: \"\"\ndogstatsd_port: \(port)\ndogstatsd_pipeline_count: \(workers)\n",
                                                  baseDirectory: dir)
            let server = try DogStatsDServer(config: config, hostname: "bench", tagProvider: nil)
            do { try server.start() } catch { continue }
            defer { server.stop() }
            var senderCPU = 0.0
            var rate = try measureUDP(workload, port: port, seconds: seconds, cpu: { processCPUSeconds() - senderCPU },
                                      processed: { server.totals().metrics }, senderCPU: { senderCPU = $0 })
            let totals = server.totals()
            rate.kernelDrops += totals.queueDrops
            rate.selfReportedKernelDrops = totals.kernelDrops
            return rate
        }
        throw BenchmarkError("no free UDP port")
    }

    /// Sends at full speed for `seconds`; processed metrics come from the
    /// receiver's own counter when it has one, else from packets that the
    /// kernel did not drop (collectd parses on its receive thread).
    static func measureUDP(_ workload: Workload, port: Int, seconds: Double, cpu: () -> Double,
                           processed: (() -> Int)?, senderCPU: ((Double) -> Void)? = nil) throws -> Rate {
        let fd = try connectedUDP(port: port)
        defer { close(fd) }
        let sender = Sender(fd: fd, workload: workload)
        let drops0 = udpDrops(port: port)
        let m0 = processed?() ?? 0
        let c0 = cpu()
        let t0 = Date()
        sender.start()
        Thread.sleep(forTimeInterval: seconds)
        sender.stop()
        Thread.sleep(forTimeInterval: 0.5)  // let the receiver drain its buffer
        senderCPU?(sender.cpuSeconds)
        let elapsed = Date().timeIntervalSince(t0)
        let drops = udpDrops(port: port) - drops0
        let metrics = processed.map { $0() - m0 } ?? Int(Double(sender.sent - drops) * workload.averageMetricsPerPacket)
        return Rate(packetsPerSecond: Double(sender.sent - drops) / elapsed, metricsPerSecond: Double(metrics) / elapsed,
                    cores: (cpu() - c0) / elapsed, sent: sender.sent, kernelDrops: drops)
    }
}
