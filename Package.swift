// swift-tools-version:6.2
// WhiteNoise for Swift: radically simplified static-file serving.
// Layout follows the architecture (Adapters -> Settings -> Core, CLI -> everything).
import PackageDescription

let package = Package(
    name: "whitenoise-swift",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "WhiteNoise", targets: ["WhiteNoise"]),
        .library(name: "WhiteNoiseNIO", targets: ["WhiteNoiseNIO"]),
        .library(name: "WhiteNoiseStorage", targets: ["WhiteNoiseStorage"]),
        .executable(name: "whitenoise", targets: ["WhiteNoiseCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // The serving engine: knows no framework.
        .target(
            name: "WhiteNoise",
            dependencies: [
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Atomics", package: "swift-atomics"),
            ],
            path: "Sources/Core/Serving"
        ),
        // collectstatic's building blocks: compression through the system's zlib and brotli
        // (headers present on a fresh machine) and libzstd (loaded at run time when present).
        .systemLibrary(name: "CZlib", path: "Sources/Core/SystemLibraries/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBrotli", path: "Sources/Core/SystemLibraries/CBrotli", pkgConfig: "libbrotlienc",
                       providers: [.apt(["libbrotli-dev"])]),
        .target(
            name: "WhiteNoiseStorage",
            dependencies: [
                "WhiteNoise", "CZlib", "CBrotli",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Core/Storage"
        ),
        // A ChannelHandler for any NIO HTTP/1 pipeline, and a ready server.
        .target(
            name: "WhiteNoiseNIO",
            dependencies: [
                "WhiteNoise",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Atomics", package: "swift-atomics"),
            ],
            path: "Sources/Adapters/NIO"
        ),
        // The `whitenoise` command.
        .executableTarget(
            name: "WhiteNoiseCLI",
            dependencies: [
                "WhiteNoise",
                "WhiteNoiseNIO",
                "WhiteNoiseStorage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/CLI"
        ),
        // Temp trees, a raw HTTP/1.1 client and server fixtures shared by the test targets.
        .target(
            name: "WhiteNoiseTestSupport",
            dependencies: [
                "WhiteNoise",
                "WhiteNoiseNIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Support"
        ),
        .testTarget(
            name: "WhiteNoiseTests",
            dependencies: [
                "WhiteNoise",
                "WhiteNoiseTestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "WhiteNoiseStorageTests",
            dependencies: [
                "WhiteNoise", "WhiteNoiseStorage", "WhiteNoiseTestSupport", "CBrotli", "CZlib",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "WhiteNoiseNIOTests",
            dependencies: [
                "WhiteNoise",
                "WhiteNoiseTestSupport",
                "WhiteNoiseNIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)

// Benchmarks are built only on request, so library users never build them:
//   WHITENOISE_BENCHMARKS=1 swift run -c release whitenoise-bench
if Context.environment["WHITENOISE_BENCHMARKS"] != nil {
    package.targets += [
        .target(name: "CMallocCounter", path: "Benchmarks/Sources/CMallocCounter"),
        .executableTarget(
            name: "whitenoise-bench",
            dependencies: [
                "WhiteNoise", "CMallocCounter",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Sources/Bench"
        ),
    ]
}
