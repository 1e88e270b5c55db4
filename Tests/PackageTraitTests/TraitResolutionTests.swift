import Foundation
import Testing
import WhiteNoiseTestSupport

/// The package's traits as an app sees them: a small dependent package per trait set, with a
/// path dependency on this checkout, resolved by the real SwiftPM.
///
/// An app that enables one framework's trait must resolve none of the other framework's
/// packages (SwiftPM drops a dependency only when every reference to it is trait-guarded),
/// and an adapter product whose trait is off must say which trait to enable.
@Suite(.requires(.packageSources), .serialized, .offCooperativePool)
struct TraitResolutionTests {
    /// Packages that only the Vapor adapter brings.
    static let vaporOnly: Set = ["vapor", "leaf", "leaf-kit", "routing-kit", "console-kit", "multipart-kit"]
    /// Packages that only the Hummingbird adapter brings.
    static let hummingbirdOnly: Set = ["hummingbird", "swift-mustache"]

    @Test func aHummingbirdAppResolvesNoVaporPackage() async throws {
        let resolved = try await offCooperativePool {
            try Dependent(traits: ["Hummingbird"], product: "WhiteNoiseHummingbird").resolvedPackages()
        }
        #expect(resolved.isDisjoint(with: Self.vaporOnly), "resolved: \(resolved.sorted())")
        #expect(resolved.isSuperset(of: Self.hummingbirdOnly), "resolved: \(resolved.sorted())")
    }

    @Test func aVaporAppResolvesNoHummingbirdPackage() async throws {
        let resolved = try await offCooperativePool { try Dependent(traits: ["Vapor"], product: "WhiteNoiseVapor").resolvedPackages() }
        #expect(resolved.isDisjoint(with: Self.hummingbirdOnly), "resolved: \(resolved.sorted())")
        #expect(resolved.isSuperset(of: Self.vaporOnly), "resolved: \(resolved.sorted())")
    }

    @Test func theDefaultTraitsResolveBothFrameworks() async throws {
        let resolved = try await offCooperativePool { try Dependent(traits: nil, product: "WhiteNoiseVapor").resolvedPackages() }
        #expect(resolved.isSuperset(of: Self.vaporOnly.union(Self.hummingbirdOnly)), "resolved: \(resolved.sorted())")
    }

    /// With its trait off, an adapter product is a placeholder that depends on nothing; using
    /// its entry points fails the app's build with a message naming the trait.
    @Test(arguments: [("WhiteNoiseVapor", "Vapor", "WhiteNoiseMiddleware"),
                      ("WhiteNoiseHummingbird", "Hummingbird", "WhiteNoiseMiddleware<Never>")])
    func anAdapterWhoseTraitIsOffNamesTheTrait(product: String, trait: String, type: String) async throws {
        let app = try Dependent(traits: [], product: product,
                                main: "import \(product)\nlet m: \(type).Type? = nil\nprint(m as Any)\n")
        let resolved = try await offCooperativePool { try app.resolvedPackages() }
        #expect(resolved.isDisjoint(with: Self.vaporOnly.union(Self.hummingbirdOnly)), "resolved: \(resolved.sorted())")

        let (status, stdout, stderr) = try await offCooperativePool { try app.swift(["build"]) }
        let output = stdout + stderr
        #expect(status != 0)
        #expect(output.contains("'WhiteNoiseMiddleware' is unavailable: \(product) needs the package trait '\(trait)'"),
                "swift build said:\n\(output)")
    }
}

/// A package in a temporary folder whose one executable uses a product of this checkout.
/// Its methods block for seconds (they run SwiftPM): call them off the cooperative pool, or
/// the live servers of tests running beside them starve.
final class Dependent: @unchecked Sendable {
    /// This checkout, found from this file's path.
    static let checkout = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let tree: TempTree

    /// - Parameters:
    ///   - traits: the traits the app asks for; `nil` leaves the line out (default traits).
    ///   - product: the library it uses.
    ///   - main: its `main.swift`.
    init(traits: [String]?, product: String, main: String = "print(\"app\")\n") throws {
        _ = try Peer.packageSources.require()  // names the peer under WHITENOISE_REQUIRE_PEERS=1
        tree = try TempTree("dependent")
        let identity = Self.checkout.lastPathComponent.lowercased()
        let traitsArgument = traits.map { ", traits: [\($0.map { "\"\($0)\"" }.joined(separator: ", "))]" } ?? ""
        try tree.write("Package.swift", """
            // swift-tools-version:6.2
            import PackageDescription

            let package = Package(
                name: "App",
                platforms: [.macOS(.v15)],
                dependencies: [.package(path: "\(Self.checkout.path)"\(traitsArgument))],
                targets: [
                    .executableTarget(name: "App", dependencies: [.product(name: "\(product)", package: "\(identity)")]),
                ]
            )
            """)
        try tree.write("Sources/App/main.swift", main)
    }

    deinit { tree.remove() }

    /// The identities of every package in the app's resolved graph, at any depth.
    func resolvedPackages() throws -> Set<String> {
        let (status, output, errors) = try swift(["package", "show-dependencies", "--format", "json"])
        try #require(status == 0, "swift package show-dependencies failed:\n\(output)\n\(errors)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        var identities = Set<String>()
        func collect(_ package: [String: Any]) {
            for dependency in package["dependencies"] as? [[String: Any]] ?? [] {
                if let identity = dependency["identity"] as? String { identities.insert(identity) }
                collect(dependency)
            }
        }
        collect(json)
        return identities
    }

    /// Runs `swift arguments` in the package; returns its status, standard output and
    /// standard error.
    func swift(_ arguments: [String]) throws -> (Int32, String, String) {
        // `--package-path` goes before a subcommand's own arguments (`swift package X`).
        let (subcommand, rest) = (arguments[0], Array(arguments.dropFirst()))
        let nested = subcommand == "package" ? [rest[0], "--package-path", tree.root] + rest.dropFirst() : ["--package-path", tree.root] + rest
        let (status, stdout, stderr) = try ChildProcess.run(["swift", subcommand] + nested)
        return (status, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}
