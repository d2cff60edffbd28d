// swift-tools-version:6.2
import PackageDescription

/// Settings for every target we own: Swift 6 mode is the tools default; warnings fail the build.
let strict: [SwiftSetting] = [
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "assay",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AssayDomain", targets: ["AssayDomain"]),
        .library(name: "AssayInMemory", targets: ["AssayInMemory"]),
        .library(name: "AssayPostgres", targets: ["AssayPostgres"]),
        .library(name: "AssayRedis", targets: ["AssayRedis"]),
        .library(name: "AssayFiles", targets: ["AssayFiles"]),
        .library(name: "AssayServer", targets: ["AssayServer"]),
        .executable(name: "assay", targets: ["assay"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/mattpolzin/OpenAPIKit.git", from: "6.4.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .target(name: "AssayDomain", path: "Sources/Domain", swiftSettings: strict),
        .target(
            name: "AssayInMemory",
            dependencies: ["AssayDomain"],
            path: "Sources/Adapters/InMemory",
            swiftSettings: strict
        ),
        .target(
            name: "AssayPostgres",
            dependencies: [
                "AssayDomain",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Adapters/Postgres",
            swiftSettings: strict
        ),
        // hiredis from Debian's libhiredis-dev; no pkg-config: the module map names the header and the library.
        .systemLibrary(name: "CHiredis", path: "Sources/Adapters/CHiredis"),
        .target(
            name: "AssayRedis",
            dependencies: [
                "AssayDomain",
                "CHiredis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Adapters/Redis",
            swiftSettings: strict
        ),
        // Files on disk: the ETL's input from a directory, read on NIO's blocking-I/O pool.
        .target(
            name: "AssayFiles",
            dependencies: ["AssayDomain", .product(name: "NIOPosix", package: "swift-nio")],
            path: "Sources/Adapters/Files",
            swiftSettings: strict
        ),
        .target(
            name: "AssayServer",
            dependencies: [
                "AssayDomain",
                "AssayFiles",
                "AssayInMemory",
                "AssayPostgres",
                "AssayRedis",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            path: "Sources/Server/AssayServer",
            swiftSettings: strict
        ),
        // `assay load`: URL templates, the bounded run on async-http-client, the report with HdrHistogram latencies.
        .target(
            name: "AssayLoad",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/Server/AssayLoad",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "assay",
            dependencies: [
                "AssayServer",
                "AssayLoad",
                "AssayDomain",
                "AssayFiles",
                "AssayPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Server/assay",
            swiftSettings: strict
        ),
        .testTarget(name: "AssayDomainTests", dependencies: ["AssayDomain", "AssayInMemory"], swiftSettings: strict),
        .testTarget(
            name: "AssayContractTests",
            dependencies: [
                "AssayDomain",
                "AssayInMemory",
                "AssayPostgres",
                "AssayRedis",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AssayServerTests",
            dependencies: [
                "AssayServer",
                "AssayLoad",
                "AssayDomain",
                "AssayInMemory",
                "AssayPostgres",
                "AssayRedis",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "OpenAPIKit", package: "OpenAPIKit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "EmbeddingTests", dependencies: ["AssayDomain", "AssayInMemory"], swiftSettings: strict),
    ]
)
