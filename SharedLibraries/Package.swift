// swift-tools-version:6.1
// One shared copy of the third-party Swift libraries for the agent and every
// Swift module. SwiftPM links a package's dependencies statically into each
// binary that names them, so the agent and four module .so files each carried
// their own NIO, gRPC, protobuf, AsyncHTTPClient (and their own resident code
// and relocations). A dependency is linked dynamically only through a dynamic
// library product of another package: this package is that product, and the
// Vigil targets depend on it instead of on the libraries themselves. A target
// that named one of them directly would link a second, static copy beside it
// (docs/module-abi.md, "Memory at idle").
import PackageDescription

let package = Package(
    name: "VigilSharedLibraries",
    products: [
        // Installed beside the agent (/usr/lib/vigil/lib); modules find it already loaded.
        .library(name: "vigil-shared", type: .dynamic, targets: ["VigilSharedLibraries"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .target(name: "VigilSharedLibraries", dependencies: [
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "GRPCCore", package: "grpc-swift-2"),
            .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ], linkerSettings: [
            // A name the dynamic loader and ldconfig match on, wherever the file lies. Linked
            // by lld with packed relative relocations (DT_RELR, glibc 2.36): gold's 58,000
            // RELA entries were 1.8 MB of the file read at every start and kept resident;
            // packed they are 15 KB (vigil-bench idle: 53.5 -> 51.2 MB).
            .unsafeFlags([
                "-Xlinker", "-soname=libvigil-shared.so",
                "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
            ]),
        ]),
    ]
)
