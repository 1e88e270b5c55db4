// swift-tools-version:6.2
// WhiteNoise for Swift: radically simplified static-file serving.
// Layout follows the architecture (Adapters -> Settings -> Core, CLI -> everything).
//
// Traits: `Vapor` and `Hummingbird`, both on by default. An app that enables only one
// (`.package(url: …, traits: ["Hummingbird"])`) resolves none of the other framework's
// packages: every reference to vapor/leaf is guarded by `Vapor`, every one to
// hummingbird/swift-mustache by `Hummingbird`. With its trait off, an adapter product is an
// empty placeholder whose entry points are unavailable with a message naming the trait.
import PackageDescription

/// Language settings of every target (as Hummingbird's): `any` spelled out, imports internal
/// unless marked `public import`, and members visible only from the modules a file imports.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// Guards a target dependency with the `Vapor` trait.
let whenVapor: TargetDependencyCondition? = .when(traits: ["Vapor"])
/// Guards a target dependency with the `Hummingbird` trait.
let whenHummingbird: TargetDependencyCondition? = .when(traits: ["Hummingbird"])

let package = Package(
    name: "whitenoise-swift",
    platforms: [.macOS(.v15)],  // swift-configuration (WhiteNoiseSettings) needs macOS 15
    products: [
        .library(name: "WhiteNoise", targets: ["WhiteNoise"]),
        .library(name: "WhiteNoiseNIO", targets: ["WhiteNoiseNIO"]),
        .library(name: "WhiteNoiseStorage", targets: ["WhiteNoiseStorage"]),
        .library(name: "WhiteNoiseSettings", targets: ["WhiteNoiseSettings"]),
        .library(name: "WhiteNoiseVapor", targets: ["WhiteNoiseVapor"]),
        .library(name: "WhiteNoiseHummingbird", targets: ["WhiteNoiseHummingbird"]),
        .executable(name: "whitenoise", targets: ["WhiteNoiseCLI"]),
    ],
    traits: [
        .trait(name: "Vapor", description: "The Vapor adapter (WhiteNoiseVapor): middleware and Leaf tags."),
        .trait(name: "Hummingbird", description: "The Hummingbird adapter (WhiteNoiseHummingbird): middleware and Mustache helpers."),
        .default(enabledTraits: ["Vapor", "Hummingbird"]),
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
        // `swift package generate-documentation`; a plugin, never linked into an app.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.5.0"),
    ],
    targets: [
        // Django's formats and rules, byte for byte: staticfiles.json, hashed names, MD5,
        // Python's URL helpers, the storage kinds. Foundation only.
        .target(
            name: "WhiteNoiseDjango",
            path: "Sources/Django",
            swiftSettings: swiftSettings
        ),
        // The serving engine: knows no framework.
        .target(
            name: "WhiteNoise",
            dependencies: [
                "WhiteNoiseDjango",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Atomics", package: "swift-atomics"),
            ],
            path: "Sources/Core/Serving",
            swiftSettings: swiftSettings
        ),
        // collectstatic's building blocks: compression through the system's zlib and brotli
        // and libzstd (loaded at run time when present). Build-time headers: zlib's are in the
        // macOS SDK (Linux: zlib1g-dev); brotli's come from libbrotli-dev or Homebrew's brotli.
        .systemLibrary(name: "CZlib", path: "Sources/Core/SystemLibraries/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBrotli", path: "Sources/Core/SystemLibraries/CBrotli", pkgConfig: "libbrotlienc",
                       providers: [.apt(["libbrotli-dev"]), .brew(["brotli"])]),
        .target(
            name: "WhiteNoiseStorage",
            dependencies: [
                "WhiteNoise", "WhiteNoiseDjango", "WhiteNoiseSettings", "CZlib", "CBrotli",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Core/Storage",
            swiftSettings: swiftSettings
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
            path: "Sources/Adapters/NIO",
            swiftSettings: swiftSettings
        ),
        // The Django-like settings file (+ environment overrides) and the auto-configuration.
        .target(
            name: "WhiteNoiseSettings",
            dependencies: [
                "WhiteNoise",
                "WhiteNoiseDjango",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Settings",
            swiftSettings: swiftSettings
        ),
        // Vapor middleware + Leaf `#static` tag.
        // With the trait off, the target is a placeholder that depends on nothing.
        .target(
            name: "WhiteNoiseVapor",
            dependencies: [
                .target(name: "WhiteNoise", condition: whenVapor),
                .target(name: "WhiteNoiseSettings", condition: whenVapor),
                .product(name: "HTTPTypes", package: "swift-http-types", condition: whenVapor),
                .product(name: "Vapor", package: "vapor", condition: whenVapor),
                .product(name: "Leaf", package: "leaf", condition: whenVapor),
            ],
            path: "Sources/Adapters/Vapor",
            swiftSettings: swiftSettings
        ),
        // Hummingbird middleware + Mustache `static` helper.
        // With the trait off, the target is a placeholder that depends on nothing.
        .target(
            name: "WhiteNoiseHummingbird",
            dependencies: [
                .target(name: "WhiteNoise", condition: whenHummingbird),
                .target(name: "WhiteNoiseSettings", condition: whenHummingbird),
                .product(name: "HTTPTypes", package: "swift-http-types", condition: whenHummingbird),
                .product(name: "NIOCore", package: "swift-nio", condition: whenHummingbird),
                .product(name: "NIOPosix", package: "swift-nio", condition: whenHummingbird),
                .product(name: "Hummingbird", package: "hummingbird", condition: whenHummingbird),
                .product(name: "Mustache", package: "swift-mustache", condition: whenHummingbird),
            ],
            path: "Sources/Adapters/Hummingbird",
            swiftSettings: swiftSettings
        ),
        // The sample MVC app: Vapor + Leaf, configured only by its settings file.
        .executableTarget(
            name: "SampleMVC",
            dependencies: [
                "WhiteNoiseVapor", "WhiteNoiseSettings", "WhiteNoiseStorage",
                .product(name: "Vapor", package: "vapor", condition: whenVapor),
                .product(name: "Leaf", package: "leaf", condition: whenVapor),
            ],
            path: "Examples/SampleMVC/Sources",
            swiftSettings: swiftSettings
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
            path: "Sources/CLI",
            swiftSettings: swiftSettings
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
            path: "Tests/Support",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WhiteNoiseTests",
            dependencies: [
                "WhiteNoise",
                "WhiteNoiseTestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WhiteNoiseStorageTests",
            dependencies: [
                "WhiteNoise", "WhiteNoiseStorage", "WhiteNoiseSettings", "WhiteNoiseTestSupport", "WhiteNoiseStorageTestSupport",
                "CBrotli", "CZlib",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The adapters: the behaviour suite against every server, and the template helpers in
        // live Vapor and Hummingbird apps.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "WhiteNoise", "WhiteNoiseTestSupport", "WhiteNoiseStorageTestSupport", "WhiteNoiseNIO", "WhiteNoiseVapor",
                "WhiteNoiseHummingbird",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Vapor", package: "vapor", condition: whenVapor),
                .product(name: "Leaf", package: "leaf", condition: whenVapor),
                .product(name: "Hummingbird", package: "hummingbird", condition: whenHummingbird),
                .product(name: "Mustache", package: "swift-mustache", condition: whenHummingbird),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WhiteNoiseSettingsTests",
            dependencies: [
                "WhiteNoise", "WhiteNoiseSettings", "WhiteNoiseStorage", "WhiteNoiseTestSupport", "WhiteNoiseStorageTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // A Hummingbird app in a child process, for memory measurements.
        .executableTarget(
            name: "whitenoise-hummingbird-fixture",
            dependencies: [
                "WhiteNoiseHummingbird",
                .product(name: "Hummingbird", package: "hummingbird", condition: whenHummingbird),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Fixtures/HummingbirdServer",
            swiftSettings: swiftSettings
        ),
        // The sample app in a real headless browser.
        .testTarget(
            name: "SampleMVCTests",
            dependencies: ["WhiteNoiseTestSupport"],
            swiftSettings: swiftSettings
        ),
        // Small dependent packages per trait set, resolved by the real SwiftPM.
        .testTarget(
            name: "PackageTraitTests",
            dependencies: ["WhiteNoiseTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WhiteNoiseDjangoTests",
            dependencies: ["WhiteNoiseDjango", "WhiteNoiseTestSupport"],
            swiftSettings: swiftSettings
        ),
        // Fixtures of STATIC_ROOTs built by the storage pipeline, for the storage and CLI tests.
        .target(
            name: "WhiteNoiseStorageTestSupport",
            dependencies: ["WhiteNoise", "WhiteNoiseSettings", "WhiteNoiseStorage", "WhiteNoiseTestSupport"],
            path: "Tests/StorageSupport",
            swiftSettings: swiftSettings
        ),
        // The `whitenoise` command as a user runs it.
        .testTarget(
            name: "WhiteNoiseCLITests",
            dependencies: ["WhiteNoise", "WhiteNoiseNIO", "WhiteNoiseStorage", "WhiteNoiseStorageTestSupport", "WhiteNoiseTestSupport"],
            swiftSettings: swiftSettings
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
            ],
            swiftSettings: swiftSettings
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
                .product(name: "Vapor", package: "vapor", condition: whenVapor),
                .product(name: "Hummingbird", package: "hummingbird", condition: whenHummingbird),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Sources/FrameworkBench"
        ),
    ]
}

// libFuzzer targets, built only on request (`bash .ci/fuzz` has the flags: AddressSanitizer,
// libFuzzer's coverage, and its runtime without `main`, which each target's own `main` calls).
if Context.environment["WHITENOISE_FUZZ"] != nil {
    let fuzzTargets: [(String, String, [Target.Dependency])] = [
        ("fuzz-head-parser", "HeadParser", ["WhiteNoiseNIO", .product(name: "NIOCore", package: "swift-nio")]),
        ("fuzz-range", "Range", ["WhiteNoise"]),
        ("fuzz-accept-encoding", "AcceptEncoding", ["WhiteNoise"]),
        ("fuzz-entity-tags", "EntityTags", ["WhiteNoise"]),
        ("fuzz-http-date", "HTTPDate", ["WhiteNoise"]),
        ("fuzz-request-path", "RequestPath", ["WhiteNoise"]),
        ("fuzz-env-file", "EnvFile", ["WhiteNoiseSettings"]),
    ]
    for (name, folder, dependencies) in fuzzTargets {
        package.targets.append(.executableTarget(name: name, dependencies: dependencies + ["FuzzSupport"],
                                                 path: "Fuzz/Targets/" + folder))
    }
    package.targets.append(.target(name: "FuzzSupport", path: "Fuzz/Support"))
}
