// swift-tools-version:6.2
// The fuzz targets: libFuzzer drives attache's parsers of what a server (or the journal)
// hands it. A package of its own, so the project's `swift build` and `make test` never see
// libFuzzer; `make fuzz` builds it with `--sanitize=fuzzer` (see docs/reliability.md).
import PackageDescription

let package = Package(
    name: "attache-fuzz",
    dependencies: [
        .package(name: "attache", path: ".."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        // One binary for every target (ATTACHE_FUZZ_TARGET picks one): each link of the
        // whole dependency stack takes a while, and one link is enough.
        .executableTarget(
            name: "AttacheFuzz",
            dependencies: [
                .product(name: "AttacheCore", package: "attache"),
                .product(name: "GraphEmulator", package: "attache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
