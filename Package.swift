// swift-tools-version:6.1
// Vigil — a container-monitoring agent. The targets follow the data flow:
// intake (DogStatsD, modules) → aggregation → forwarding, with the workload
// store and tagger beside them and the agent wiring everything together.
import PackageDescription

// The per-sample aggregation paths skip Swift's run-time exclusivity checks
// in release builds (they cost ~10% there); debug builds, which every test
// runs, keep them, so a violation still fails the tests.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

// The third-party Swift libraries, linked once into libvigil-shared.so for the agent and every
// Swift module (SharedLibraries/Package.swift says why). No target names them directly.
let shared: Target.Dependency = .product(name: "vigil-shared", package: "SharedLibraries")

let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        // Each shipped module is its own shared library, loaded at run time.
        .library(name: "vigil-example", type: .dynamic, targets: ["ExampleModule"]),
        .library(name: "vigil-cgroup", type: .dynamic, targets: ["CgroupModule"]),
        .library(name: "vigil-network", type: .dynamic, targets: ["NetworkModule"]),
        .library(name: "vigil-containerd", type: .dynamic, targets: ["ContainerdModule"]),
        .library(name: "vigil-sbom", type: .dynamic, targets: ["SBOMModule"]),
        .library(name: "vigil-kubernetes", type: .dynamic, targets: ["KubernetesModule"]),
        .library(name: "vigil-autoscaling", type: .dynamic, targets: ["AutoscalingModule"]),
        .executable(name: "vigil-bench", targets: ["VigilBenchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // NIO, gRPC, protobuf, AsyncHTTPClient, GRDB, Yams and swift-log, as one shared library.
        .package(path: "SharedLibraries"),
    ],
    targets: [
        // The stable C ABI: the only header a module needs.
        .target(name: "CVigilModule", path: "CHeaders", publicHeadersPath: "include"),
        // Linux socket details Swift's Glibc module does not expose (SO_PASSCRED, recvmmsg).
        .target(name: "CVigilSystem", path: "Sources/CVigilSystem", publicHeadersPath: "include"),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),

        // Core: plain data shared by every stage.
        .target(name: "VigilModel"),
        .target(name: "VigilConfig", dependencies: ["VigilModel", shared]),
        .target(name: "VigilAggregation", dependencies: ["VigilModel"], swiftSettings: hotPath),
        // Workload entities as plain values: the store's model, and what Swift modules publish.
        .target(name: "VigilEntities"),
        .target(name: "VigilWorkload", dependencies: ["VigilEntities", "VigilModel", "VigilConfig"]),
        .target(name: "VigilScheduler", dependencies: ["VigilModel", shared]),
        .target(name: "VigilModules", dependencies: [
            "CVigilModule", "VigilSwiftModuleKit", "VigilModel", "VigilConfig", "VigilAggregation", "VigilWorkload",
            "VigilScheduler",
        ]),
        // The DogStatsD wire protocol alone (byte ranges, numbers, the three
        // message parsers): no sockets, no threads, so the fuzzer compiles it whole.
        .target(name: "VigilDogStatsDProtocol", dependencies: ["VigilModel", "VigilAggregation"], swiftSettings: hotPath),
        .target(name: "VigilDogStatsD", dependencies: [
            "VigilModel", "VigilConfig", "VigilAggregation", "VigilDogStatsDProtocol", "CVigilSystem",
        ], swiftSettings: hotPath),
        // zlib for deflate, the fallback Content-Encoding.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // snappy's block format, which Prometheus remote write requires.
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy", pkgConfig: "snappy",
                       providers: [.apt(["libsnappy-dev"])]),
        .target(name: "VigilForwarding", dependencies: [
            "VigilModel", "VigilConfig", "CZstd", "CZlib", "CSnappy", "ProtobufWire", shared,
        ]),
        .target(name: "VigilStatus", dependencies: [
            "VigilModel", "VigilConfig", shared,
        ]),
        // The local web console under /console on cmd_address: pages and plots from the
        // agent's state and the local store (docs/console.md).
        .target(name: "VigilConsole", dependencies: [
            "VigilModel", "VigilConfig", "VigilStatus", "VigilForwarding", "CZlib",
        ]),
        // Check templates matched to containers as they come and go.
        .target(name: "VigilAutodiscovery", dependencies: [
            "VigilModel", "VigilConfig", "VigilWorkload", "VigilModules", shared,
        ]),
        .target(name: "VigilAgent", dependencies: [
            "VigilModel", "VigilConfig", "VigilAggregation", "VigilWorkload", "VigilScheduler",
            "VigilModules", "VigilAutodiscovery", "VigilDogStatsD", "VigilForwarding", "VigilStatus", "VigilConsole",
            "CVigilSystem",
        ]),
        .executableTarget(name: "vigil", dependencies: [
            "VigilAgent", "CVigilModule", "SBOMScanner", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: [
            // Installed as /usr/bin/vigil with libvigil-shared.so in /usr/lib/vigil/lib ($ORIGIN, which
            // SwiftPM adds, covers the build folder).
            .unsafeFlags(["-Xlinker", "-rpath=$ORIGIN/../lib/vigil/lib"]),
        ]),

        // Shipped modules. They see only the C header, never host symbols.
        .target(name: "ExampleModule", dependencies: ["CVigilModule"], path: "Plugins/example", publicHeadersPath: "."),
        .target(name: "CgroupModule", dependencies: ["CVigilModule", "VigilModuleKit"], path: "Plugins/cgroup", publicHeadersPath: "."),
        .target(name: "NetworkModule", dependencies: ["CVigilModule", "VigilModuleKit"], path: "Plugins/network", publicHeadersPath: "."),
        // File, tag, rate and batch helpers shared by the C modules; linked into each .so.
        .target(name: "VigilModuleKit", dependencies: ["CVigilModule"], path: "Plugins/kit", publicHeadersPath: "include"),
        // The Swift twin of Plugins/kit: host-table wrappers, C arenas, entity conversion, options,
        // the descriptor and background work. Linked into each Swift module's .so and into the host
        // (which converts entities with the same code).
        .target(name: "VigilSwiftModuleKit", dependencies: ["CVigilModule", "VigilEntities"], path: "Plugins/swift-kit"),
        // Runs one module in a minimal host counting allocations, descriptors and CPU time (tests, benchmarks).
        .executableTarget(name: "vigil-module-probe", dependencies: ["CVigilModule"], path: "Tools/vigil-module-probe"),
        // The system's libsqlite3, for the containerd module's image cache (GRDB stays in the core).
        .systemLibrary(name: "CSQLite3", path: "Sources/CSQLite3", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        // A prepared-statement wrapper over the system's libsqlite3, for modules' own files.
        .target(name: "VigilModuleSQLite", dependencies: ["CSQLite3"], path: "Plugins/sqlite-kit"),
        // containerd's gRPC API as generated client stubs, shared by the containerd and sbom modules.
        .target(name: "ContainerdAPI", dependencies: [shared], path: "Plugins/containerd-api", exclude: ["generate-stubs.sh"]),
        // An image record's target followed to this machine's manifest and config, for both modules.
        .target(name: "OCIImage", path: "Plugins/oci-image"),
        // The one protobuf wire reader outside swift-protobuf: the containerd module's image
        // listings and the forwarder's payload framing.
        .target(name: "ProtobufWire", path: "Plugins/protobuf-wire"),
        // The containerd module's image facts, their SQLite cache and the paged image listing:
        // no gRPC, so the unit tests link it directly.
        .target(name: "ContainerdImageIndex", dependencies: ["VigilModuleSQLite", "OCIImage", "VigilEntities", "ProtobufWire"],
                path: "Plugins/containerd/Images"),
        .target(name: "ContainerdModule", dependencies: [
            "CVigilModule", "VigilSwiftModuleKit", "ContainerdImageIndex", "ContainerdAPI", shared,
        ], path: "Plugins/containerd", exclude: ["Images"]),
        // Bills of materials: layer streams, catalogers, the layer cache and CycloneDX; no gRPC, so
        // `vigil sbom scan` and the unit tests link it directly.
        .target(name: "SBOMScanner", dependencies: ["VigilModuleSQLite", "OCIImage", "CSQLite3", "CZlib", "CZstd"],
                path: "Plugins/sbom/Scanner"),
        .target(name: "SBOMModule", dependencies: [
            "CVigilModule", "VigilSwiftModuleKit", "SBOMScanner", "ContainerdAPI", shared,
        ], path: "Plugins/sbom", exclude: ["Scanner"]),

        // Read-only Kubernetes API access (config, TLS, token, list/watch reflector) and the pod and
        // DatadogPodAutoscaler models, written once and linked into both Kubernetes modules.
        .target(name: "KubernetesAPI", dependencies: [
            "VigilEntities", shared,
        ], path: "Plugins/kubernetes-api"),
        .target(name: "KubernetesModule", dependencies: ["CVigilModule", "VigilSwiftModuleKit", "KubernetesAPI"],
                path: "Plugins/kubernetes"),
        // Local recommendations: pure functions, so the unit tests link them directly.
        .target(name: "AutoscalingRecommender", path: "Plugins/autoscaling/Recommender"),
        .target(name: "AutoscalingModule", dependencies: [
            "CVigilModule", "VigilSwiftModuleKit", "KubernetesAPI", "AutoscalingRecommender",
        ], path: "Plugins/autoscaling", exclude: ["Recommender"]),

        .executableTarget(name: "VigilBenchmarks", dependencies: [
            "VigilAgent", "VigilConsole", "CVigilModule", "VigilTestSupport",
        ], path: "Benchmarks"),

        .target(name: "VigilTestSupport", path: "Tests/Support"),
        .testTarget(name: "VigilTests", dependencies: [
            "VigilAgent", "VigilConsole", "VigilDogStatsDProtocol", "CVigilModule", "ContainerdImageIndex", "ContainerdAPI",
            "SBOMScanner", "VigilTestSupport", "KubernetesAPI", "AutoscalingRecommender",
        ], exclude: ["Cgroup/Fixtures", "Status/Golden"]),  // read at run time by path: cgroup trees, golden output
        // Slow tests against real containerd, sockets and clients.
        .testTarget(name: "VigilEndToEndTests", dependencies: ["VigilAgent", "VigilTestSupport", "SBOMScanner"]),
    ]
)
