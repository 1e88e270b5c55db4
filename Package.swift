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
        .library(name: "WhiteNoiseSettings", targets: ["WhiteNoiseSettings"]),
        .library(name: "WhiteNoiseVapor", targets: ["WhiteNoiseVapor"]),
        .library(name: "WhiteNoiseHummingbird", targets: ["WhiteNoiseHummingbird"]),
        .executable(name: "whitenoise", targets: ["WhiteNoiseCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
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
        // Linux's epoll, eventfd and sendfile headers (no library to link), for the ready
        // server's epoll backend.
        .systemLibrary(name: "CLinuxEvents", path: "Sources/Adapters/SystemLibraries/CLinuxEvents"),
        // A ChannelHandler for any NIO HTTP/1 pipeline, and a ready server.
        .target(
            name: "WhiteNoiseNIO",
            dependencies: [
                "WhiteNoise",
                .target(name: "CLinuxEvents", condition: .when(platforms: [.linux])),
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
        // The Django-like settings file (+ environment overrides) and the auto-configuration.
        .target(
            name: "WhiteNoiseSettings",
            dependencies: [
                "WhiteNoise",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Settings"
        ),
        // Vapor middleware + Leaf `#static` tag.
        .target(
            name: "WhiteNoiseVapor",
            dependencies: [
                "WhiteNoise", "WhiteNoiseSettings", "WhiteNoiseNIO",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Leaf", package: "leaf"),
            ],
            path: "Sources/Adapters/Vapor"
        ),
        // Hummingbird middleware + Mustache `static` helper.
        .target(
            name: "WhiteNoiseHummingbird",
            dependencies: [
                "WhiteNoise", "WhiteNoiseSettings", "WhiteNoiseNIO",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            path: "Sources/Adapters/Hummingbird"
        ),
        // The sample MVC app: Vapor + Leaf, configured only by its settings file.
        .executableTarget(
            name: "SampleMVC",
            dependencies: [
                "WhiteNoiseVapor", "WhiteNoiseSettings", "WhiteNoiseStorage",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Leaf", package: "leaf"),
            ],
            path: "Examples/SampleMVC/Sources"
        ),
        // The `whitenoise` command.
        .executableTarget(
            name: "WhiteNoiseCLI",
            dependencies: [
                "WhiteNoise",
                "WhiteNoiseNIO",
                "WhiteNoiseStorage",
                "WhiteNoiseSettings",
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
        // The behaviour suite, run against the NIO server, a Vapor app and a Hummingbird app.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "WhiteNoise", "WhiteNoiseTestSupport", "WhiteNoiseNIO", "WhiteNoiseVapor", "WhiteNoiseHummingbird",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "WhiteNoiseSettingsTests",
            dependencies: [
                "WhiteNoise", "WhiteNoiseSettings", "WhiteNoiseTestSupport", "WhiteNoiseVapor", "WhiteNoiseHummingbird",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A Hummingbird app in a child process, for memory measurements.
        .executableTarget(
            name: "whitenoise-hummingbird-fixture",
            dependencies: [
                "WhiteNoiseHummingbird",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Fixtures/HummingbirdServer"
        ),
        // The sample app in a real headless browser.
        .testTarget(
            name: "SampleMVCTests",
            dependencies: ["WhiteNoiseTestSupport"]
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
        .executableTarget(
            name: "whitenoise-framework-bench",
            dependencies: [
                "WhiteNoise", "WhiteNoiseVapor", "WhiteNoiseHummingbird",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Sources/FrameworkBench"
        ),
    ]
}
