import Foundation
import HTTPTypes
import Testing
import WhiteNoise
@testable import WhiteNoiseStorage
import WhiteNoiseTestSupport
import WhiteNoiseStorageTestSupport
import WhiteNoiseDjango

/// Subresource Integrity values: SHA-384 as Python's hashlib computes it, recorded by
/// collectstatic for every collected file's final bytes (never for a compressed variant),
/// reused while a file is unchanged, dropped with the files `clean` removes, never served.
@Suite(.offCooperativePool) struct IntegrityTests {
    @Test func sha384MatchesHashlibAcrossBlockBoundariesAndChunkings() throws {
        let t = try TempTree()
        defer { t.remove() }
        var rng = SeededGenerator(seed: 384)
        let sizes = [0, 1, 3, 111, 112, 113, 127, 128, 129, 239, 240, 255, 256, 1000, 65_537, 1_000_003]
        var paths: [String] = []
        var values: [String] = []
        for size in sizes {
            let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
            try t.write("f\(size)", Data(bytes))
            paths.append(t.root + "/f\(size)")
            // Fed in uneven chunks, so that partial blocks are carried between updates.
            var digest = SHA384()
            var offset = 0
            var chunk = 1
            while offset < bytes.count {
                let end = min(bytes.count, offset + chunk)
                bytes[offset..<end].withUnsafeBytes { digest.update($0) }
                offset = end
                chunk = chunk * 3 + 7
            }
            let streamed = digest.integrityValue()
            #expect(streamed == SHA384.integrity(bytes), "\(size)")
            values.append(streamed)
        }
        #expect(values == (try TempTreeShim.integrity(ofFiles: paths)))
    }

    func makeSite(_ t: TempTree) throws -> String {
        try t.write("src/css/app.css", String(repeating: "body { background: url('../img/bg.png') }\n", count: 40))
        try t.write("src/img/bg.png", Data((0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 13) }))
        try t.write("src/js/app.js", String(repeating: "console.log('hello world');\n", count: 50))
        try t.write("src/data/archive.gz", "a collected file whose name merely ends in .gz")
        return t.root + "/src"
    }

    func recorded(_ root: String) throws -> [String: String] {
        try #require(try IntegrityIndex.read(root: root)).files
    }

    /// Every file the last run produced (the manifest's names and hashed names; with no
    /// manifest, every file but the compressed variants and the metadata) has a value, and
    /// each equals hashlib's on the file's bytes now.
    func expectEveryCollectedFileMatches(_ root: String) throws {
        let values = try recorded(root)
        var expected: [String] = []
        if let data = FileManager.default.contents(atPath: root + "/" + DjangoManifest.fileName) {
            let paths = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["paths"] as? [String: String])
            expected = Array(Set(paths.keys).union(paths.values)).sorted()
        } else {
            expected = try allFiles(root)
        }
        #expect(Set(values.keys) == Set(expected))
        #expect(expected.map { values[$0] } == (try TempTreeShim.integrity(ofFiles: expected.map { root + "/" + $0 })))
    }

    func allFiles(_ root: String) throws -> [String] {
        var expected: [String] = []
        for path in FileManager.default.enumerator(atPath: root)!.compactMap({ $0 as? String }).sorted() {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory)
            if isDirectory.boolValue || DigestIndex.metadataFileNames.contains(path) || path == DjangoManifest.fileName { continue }
            let isVariant = [".gz", ".br", ".zst"].contains { path.hasSuffix($0) }
                && FileManager.default.fileExists(atPath: root + "/" + path.split(separator: ".").dropLast().joined(separator: "."))
            if !isVariant { expected.append(path) }
        }
        return expected
    }

    @Test func collectstaticRecordsEveryCollectedFileAndNoVariant() throws {
        let t = try TempTree()
        defer { t.remove() }
        let root = t.root + "/static_root"
        let options = CollectStaticOptions(staticRoot: root, sources: [.init(path: try makeSite(t))])
        _ = try CollectStatic(options: options).run()
        let first = try recorded(root)
        #expect(first.keys.contains { $0.hasPrefix("css/app.") && $0 != "css/app.css" })
        #expect(first["data/archive.gz"] != nil && first["css/app.css.br"] == nil)
        try expectEveryCollectedFileMatches(root)

        // An edit: the edited file, the CSS that references it and their hashed names get new
        // values; an unchanged re-run gives the same file, byte for byte.
        try t.write("src/img/bg.png", Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) }))
        _ = try CollectStatic(options: options).run()
        try expectEveryCollectedFileMatches(root)
        let text = try String(contentsOfFile: root + "/" + IntegrityIndex.fileName, encoding: .utf8)
        _ = try CollectStatic(options: options).run()
        #expect(try String(contentsOfFile: root + "/" + IntegrityIndex.fileName, encoding: .utf8) == text)
        #expect(try recorded(root)["js/app.js"] == first["js/app.js"])

        // A STATIC_ROOT from a release without integrity values is brought up to date.
        try FileManager.default.removeItem(atPath: root + "/" + IntegrityIndex.fileName)
        _ = try CollectStatic(options: options).run()
        try expectEveryCollectedFileMatches(root)
    }

    /// A value is reused only with the digest-index entry it was computed with: a file whose
    /// size stayed the same but whose mtime moved is hashed again.
    @Test func aChangedFileOfTheSameSizeIsHashedAgain() throws {
        let t = try TempTree()
        defer { t.remove() }
        let root = t.root + "/static_root"
        var options = CollectStaticOptions(staticRoot: root, sources: [.init(path: try makeSite(t))])
        options.storage = .staticFiles
        _ = try CollectStatic(options: options).run()
        let before = try recorded(root)["js/app.js"]
        let source = t.root + "/src/js/app.js"
        try Data(try Data(contentsOf: URL(fileURLWithPath: source)).reversed()).write(to: URL(fileURLWithPath: source))
        _ = try CollectStatic(options: options).run()
        #expect(try recorded(root)["js/app.js"] != before)
        try expectEveryCollectedFileMatches(root)
    }

    @Test func theEngineNeverServesTheIntegrityFile() throws {
        let t = try TempTree()
        defer { t.remove() }
        let root = t.root + "/static_root"
        _ = try CollectStatic(options: .init(staticRoot: root, sources: [.init(path: try makeSite(t))])).run()
        #expect(FileManager.default.fileExists(atPath: root + "/" + IntegrityIndex.fileName))
        var files = try StaticFiles()
        files.addFiles(root: root, prefix: "/static/")
        #expect(files.respond(to: HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/static/" + IntegrityIndex.fileName)) == nil)
        #expect(files.respond(to: HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/static/js/app.js")) != nil)
    }

    /// The values cover what the last run produced; `clean` removes only older versions and
    /// leaves the values of the current ones.
    @Test func cleanKeepsTheValuesOfTheCurrentFiles() throws {
        let t = try TempTree()
        defer { t.remove() }
        let root = t.root + "/static_root"
        let options = CollectStaticOptions(staticRoot: root, sources: [.init(path: try makeSite(t))])
        var hashedVersions: [String] = []
        for version in 0..<4 {
            try t.write("src/js/app.js", "console.log(\(version));\n")
            _ = try CollectStatic(options: options).run()
            let hashed = try #require(try recorded(root).keys.first { $0.hasPrefix("js/app.") && $0 != "js/app.js" && !hashedVersions.contains($0) })
            for suffix in ["", ".gz", ".br", ".zst"] where FileManager.default.fileExists(atPath: root + "/" + hashed + suffix) {
                try t.setMTime("static_root/" + hashed + suffix, Int(Date().timeIntervalSince1970) - (4 - version) * 86_400)
            }
            hashedVersions.append(hashed)
        }
        let clean = CleanStatic.Options(staticRoot: root, keep: 1)
        let summary = try CleanStatic(options: clean).run()
        #expect(summary.removed.contains(hashedVersions[0]) && summary.removed.contains(hashedVersions[1]))
        #expect(!summary.removed.contains(hashedVersions[2]) && !summary.removed.contains(hashedVersions[3]))
        let after = try recorded(root)
        #expect(after.keys.allSatisfy { !summary.removed.contains($0) })
        #expect(after[hashedVersions[3]] != nil)
        try expectEveryCollectedFileMatches(root)
    }
}
