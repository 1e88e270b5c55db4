import Foundation
public import Testing
import WhiteNoise
public import WhiteNoiseSettings
public import WhiteNoiseStorage
public import WhiteNoiseTestSupport

// Fixtures of STATIC_ROOTs built with the storage pipeline, shared by the storage tests and
// the command-line tests.

/// A STATIC_ROOT after five releases of `css/app.css` (and one unchanged `js/app.js`): the
/// hashed names of the five versions, oldest first, each aged `ages[i]` days (the last one
/// is the manifest's current version). Also holds `vendor/lib.0123456789ab.js`, an original
/// that only looks hashed, and a stray `notes.abcdefabcdef.txt`, both ten days old.
public struct Releases {
    /// A day in seconds.
    public static let day = 86_400
    /// "Now" for the library's runs (the command's own is a moment later): ages are exact.
    public static let now = Int(Date().timeIntervalSince1970)

    /// The temporary tree (remove it when done).
    public let tree: TempTree
    /// The STATIC_ROOT.
    public let root: String
    /// The hashed names of `css/app.css`, oldest first.
    public let versions: [String]

    /// Builds the five releases with real collectstatic runs.
    public init(ages: [Int] = [5, 4, 3, 2, 1]) throws {
        tree = try TempTree("clean")
        root = tree.root + "/static_root"
        try tree.write("src/js/app.js", String(repeating: "console.log('same in every release');\n", count: 40))
        try tree.write("src/vendor/lib.0123456789ab.js", String(repeating: "var lib = 1;\n", count: 40))
        var versions: [String] = []
        for (release, age) in ages.enumerated() {
            try tree.write("src/css/app.css", String(repeating: "body { margin: \(release)px }\n", count: 40))
            _ = try CollectStatic(options: .init(staticRoot: root, sources: [.init(path: tree.root + "/src")])).run()
            let hashed = try #require(try Self.manifest(root)["css/app.css"])
            for suffix in ["", ".gz", ".br", ".zst"] where FileManager.default.fileExists(atPath: root + "/" + hashed + suffix) {
                try tree.setMTime("static_root/" + hashed + suffix, Releases.now - age * Releases.day)
            }
            versions.append(hashed)
        }
        self.versions = versions
        try tree.write("static_root/notes.abcdefabcdef.txt", "not a hashed version: its md5 differs")
        for old in ["static_root/notes.abcdefabcdef.txt", "static_root/vendor/lib.0123456789ab.js"] {
            try tree.setMTime(old, Releases.now - 10 * Releases.day)
        }
    }

    /// `staticfiles.json`'s paths.
    public static func manifest(_ root: String) throws -> [String: String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/staticfiles.json"))
        return try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["paths"] as? [String: String])
    }

    /// Whether `relative` exists under the root.
    public func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: root + "/" + relative) }

    /// Every file under the root, relative.
    public func files() -> Set<String> {
        Set((FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory) && !isDirectory.boolValue
        })
    }

    /// `clean` through the library, at ``now``.
    public func clean(keep: Int = 2, age: Int = 3600, dryRun: Bool = false) throws -> CleanStatic.Summary {
        try CleanStatic(options: .init(staticRoot: root, keep: keep, age: Double(age), dryRun: dryRun))
            .run(now: Date(timeIntervalSince1970: TimeInterval(Releases.now)))
    }
}

/// Source trees for collectstatic runs.
public enum StorageFixtures {
    /// A stylesheet that references an image, the image and a script, under `src/`; returns
    /// the folder.
    public static func site(_ t: TempTree) throws -> String {
        try t.write("src/css/app.css", String(repeating: "body { background: url('../img/bg.png') }\n", count: 40))
        try t.write("src/img/bg.png", Data((0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 13) }))
        try t.write("src/js/app.js", String(repeating: "console.log('hello world');\n", count: 50))
        return t.root + "/src"
    }

    /// Text of several kinds (compressible), an incompressible file and a skipped image,
    /// under `src/`; returns the folder.
    public static func textSources(_ t: TempTree) throws -> String {
        var rng = SeededGenerator(seed: 11)
        for i in 0..<12 {
            let words = (0..<(400 + i * 150)).map { _ in ["alpha", "beta", "gamma", "delta", "tea", "pot", "{", "}", ";"].randomElement(using: &rng)! }
            try t.write("src/css/s\(i).css", ".c\(i) { background: url(../img/bg.png) }\n" + words.joined(separator: " "))
            try t.write("src/js/m\(i).js", "export const m\(i) = \"" + words.reversed().joined(separator: "-") + "\";\n")
        }
        try t.write("src/data/random.bin", Data((0..<20_000).map { _ in UInt8.random(in: 0...255, using: &rng) }))
        try t.write("src/img/bg.png", Data((0..<3_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }))
        return t.root + "/src"
    }

    /// A site with a stylesheet, a classic script and ES modules (`.js` in two folders, `.mjs`)
    /// importing each other by plain relative paths, collected with
    /// `CompressedManifestStaticFilesStorage` into `root/` (no compression cache); returns the
    /// settings that describe it, after `configure`.
    public static func moduleSite(_ tree: TempTree, configure: (inout WhiteNoiseSettings) -> Void = { _ in }) throws -> WhiteNoiseSettings {
        try tree.write("assets/css/app.css", "body { background: url(../img/bg.svg) }\n")
        try tree.write("assets/img/bg.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
        try tree.write("assets/js/legacy.js", "window.legacy = true;\n")
        try tree.write("assets/js/app.js", "import { greet } from './greet.js';\nimport { twice } from './util/twice.mjs';\ngreet(twice(1));\n")
        try tree.write("assets/js/greet.js", "export function greet(n) { document.title = 'hello ' + n; }\n")
        try tree.write("assets/js/util/twice.mjs", "export const twice = (n) => n * 2;\n")
        try tree.write("assets/vendor/lib.js", "export const lib = 1;\n")
        var settings = WhiteNoiseSettings()
        settings.staticRoot = tree.root + "/root"
        settings.staticfilesDirs = [.init(path: tree.root + "/assets")]
        settings.storage = .compressedManifest
        configure(&settings)
        var options = try CollectStaticOptions(settings: settings)
        options.storage = settings.storage
        options.compressionCache = nil
        _ = try CollectStatic(options: options).run()
        return settings
    }

    /// libzstd is loaded at run time; the toolchain itself links it, so it is nearly always here.
    /// Why the zstd tests are skipped: WHITENOISE_ZSTD=off, or libzstd missing (a peer, so a
    /// failure under WHITENOISE_REQUIRE_PEERS=1 unless switched off).
    public static let zstdMissing = Comment(rawValue: Codecs.zstdSwitchedOff
        ? "zstd is switched off (WHITENOISE_ZSTD=off); the test needs it"
        : "libzstd is missing (apt-get install libzstd1, brew install zstd); the test needs it")
    /// Runs a test that needs libzstd, as `.requires(peer)` does for the other peers.
    public static let needsZstd = ConditionTrait.enabled(
        if: Codecs.zstdAvailable || (Peer.required && !Codecs.zstdSwitchedOff), zstdMissing)
}

/// A small deterministic generator (SplitMix64), so a generated tree is the same every run.
public struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    /// A generator starting at `seed`.
    public init(seed: UInt64) { state = seed }
    /// The next value.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
