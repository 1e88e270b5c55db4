import Foundation
import HTTPTypes
import Logging
import Testing
import WhiteNoise
import WhiteNoiseStorage
import WhiteNoiseTestSupport
import WhiteNoiseStorageTestSupport
import WhiteNoiseDjango

@Suite(.offCooperativePool) struct CollectStaticTests {
    func manifest(_ root: String) throws -> [String: String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/staticfiles.json"))
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        return object["paths"] as! [String: String]
    }

    @Test func compressedManifestProducesHashedCompressedFilesTheEngineServes() async throws {
        let t = try TempTree()
        defer { t.remove() }
        let root = t.root + "/static_root"
        let summary = try CollectStatic(options: .init(staticRoot: root, sources: [.init(path: try StorageFixtures.site(t))])).run()
        #expect(summary.copied == 3 && summary.postProcessed == 3 && summary.variants > 0)
        let paths = try manifest(root)
        let css = try #require(paths["css/app.css"])
        for suffix in ["", ".gz", ".br", ".zst"] {
            let expected = suffix != ".zst" || Codecs.zstdAvailable  // without libzstd, no .zst (and a warning)
            #expect(FileManager.default.fileExists(atPath: root + "/" + css + suffix) == expected, "\(css)\(suffix)")
            #expect(FileManager.default.fileExists(atPath: root + "/css/app.css" + suffix) == expected)
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/img/bg.png.gz"))  // png is on the skip list
        let index = try #require(DigestIndex(parsing: try String(contentsOfFile: root + "/" + DigestIndex.fileName, encoding: .utf8)))
        #expect(index.files[css] != nil && index.files[css + ".br"] != nil && index.files["staticfiles.json"] == nil)
        let rewritten = try String(contentsOfFile: root + "/" + css, encoding: .utf8)
        #expect(rewritten.contains(paths["img/bg.png"]!.replacingOccurrences(of: "img/", with: "../img/")))

        var files = try StaticFiles()
        files.addFiles(root: root, prefix: "/static/")
        let hashed = try #require(files.respond(to: HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/static/" + css)))
        #expect(hashed.headerFields[.cacheControl] == "max-age=315360000, public, immutable")
        let plain = try #require(files.respond(to: HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/static/css/app.css")))
        #expect(plain.headerFields[.cacheControl] == "max-age=60, public")
        let br = files.respond(to: HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/static/" + css, headerFields: [.acceptEncoding: "br"]))
        #expect(br?.headerFields[.contentEncoding] == "br")
        #expect(br?.headerFields[.eTag] == "\"" + ContentDigest.hex(index.files[css + ".br"]!.digest) + "\"")
    }

    @Test func anUnchangedRerunCopiesNothingAndGivesTheSameManifest() throws {
        let t = try TempTree()
        defer { t.remove() }
        let root = t.root + "/static_root"
        let options = CollectStaticOptions(staticRoot: root, sources: [.init(path: try StorageFixtures.site(t))])
        _ = try CollectStatic(options: options).run()
        let first = try Data(contentsOf: URL(fileURLWithPath: root + "/staticfiles.json"))
        let again = try CollectStatic(options: options).run()
        #expect(again.copied == 0 && again.unmodified == 3 && again.postProcessed == 0 && again.variants == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/staticfiles.json")) == first)
    }

    /// The Django release matched is part of what a re-run compares: switching it redoes the
    /// hashing, and the output is then that release's (here: `paths` deepest first, or sorted).
    @Test func switchingTheDjangoReleaseRedoesTheHashing() throws {
        let t = try TempTree()
        defer { t.remove() }
        let root = t.root + "/static_root"
        var options = CollectStaticOptions(staticRoot: root, sources: [.init(path: try StorageFixtures.site(t))])
        try t.write("src/z/y/deep.txt", "post-processed first, listed last when sorted")
        options.storage = .manifest
        func firstKey() throws -> String {
            let text = try String(contentsOfFile: root + "/staticfiles.json", encoding: .utf8)
            return String(text.dropFirst("{\"paths\": {\"".count).prefix { $0 != "\"" })
        }
        options.djangoCompatibility = .django52
        _ = try CollectStatic(options: options).run()
        #expect(try firstKey() == "z/y/deep.txt")
        options.djangoCompatibility = .django61
        #expect(try CollectStatic(options: options).run().postProcessed == 4)
        #expect(try firstKey() == "css/app.css")
        #expect(try CollectStatic(options: options).run().postProcessed == 0)
    }

    @Test func editsDeletionsAndRenamesRedoWhatTheyAffect() throws {
        let t = try TempTree()
        defer { t.remove() }
        let root = t.root + "/static_root"
        let options = CollectStaticOptions(staticRoot: root, sources: [.init(path: try StorageFixtures.site(t))])
        let full = try CollectStatic(options: options).run()
        // An edited image: it and the CSS that references it get new hashed names; the
        // unchanged JS is not compressed again.
        try t.write("src/img/bg.png", Data((0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 17) }))
        let edited = try CollectStatic(options: options).run()
        #expect(edited.copied == 1 && edited.postProcessed == 3)
        #expect(edited.variants > 0 && edited.variants < full.variants)
        let paths = try manifest(root)
        let css = try String(contentsOfFile: root + "/" + paths["css/app.css"]!, encoding: .utf8)
        #expect(css.contains(paths["img/bg.png"]!.replacingOccurrences(of: "img/", with: "../img/")))
        // A rename: the manifest follows the sources.
        try FileManager.default.moveItem(atPath: t.root + "/src/js/app.js", toPath: t.root + "/src/js/main.js")
        _ = try CollectStatic(options: options).run()
        let renamed = try manifest(root)
        #expect(renamed["js/main.js"] != nil && renamed["js/app.js"] == nil)
    }

    @Test func dryRunWritesNothingAndLinkMakesSymlinks() throws {
        let t = try TempTree()
        defer { t.remove() }
        let src = try StorageFixtures.site(t)
        var dry = CollectStaticOptions(staticRoot: t.root + "/dry", sources: [.init(path: src)])
        dry.dryRun = true
        #expect(try CollectStatic(options: dry).run().copied == 3)
        #expect(!FileManager.default.fileExists(atPath: t.root + "/dry"))
        var linked = CollectStaticOptions(staticRoot: t.root + "/linked", sources: [.init(path: src)])
        linked.link = true
        linked.storage = .staticFiles
        _ = try CollectStatic(options: linked).run()
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: t.root + "/linked/css/app.css") == src + "/css/app.css")
        #expect(try CollectStatic(options: linked).run().unmodified == 3)
    }

    @Test func clearRemovesStaleFilesLastAndKeepOnlyHashedDropsOriginals() throws {
        let t = try TempTree()
        defer { t.remove() }
        let root = t.root + "/static_root"
        try t.write("static_root/stale.txt", "old deploy")
        var options = CollectStaticOptions(staticRoot: root, sources: [.init(path: try StorageFixtures.site(t))])
        options.clear = true
        options.keepOnlyHashedFiles = true
        _ = try CollectStatic(options: options).run()
        let paths = try manifest(root)
        let left = Set(FileManager.default.subpaths(atPath: root)!.filter { !$0.hasSuffix("/") && !["css", "img", "js"].contains($0) })
        #expect(!left.contains("stale.txt") && !left.contains("css/app.css") && !left.contains("js/app.js"))
        for hashed in paths.values { #expect(left.contains(hashed)) }
        #expect(left.contains(paths["css/app.css"]! + ".gz"))
    }

    @Test func aFailedRunLeavesThePreviousRootServeable() throws {
        let t = try TempTree()
        defer { t.remove() }
        let root = t.root + "/static_root"
        let options = CollectStaticOptions(staticRoot: root, sources: [.init(path: try StorageFixtures.site(t))])
        _ = try CollectStatic(options: options).run()
        let before = try Data(contentsOf: URL(fileURLWithPath: root + "/staticfiles.json"))
        try t.write("src/css/app.css", "body { background: url('../img/missing.png') }")
        #expect(throws: HashingError.self) { try CollectStatic(options: options).run() }
        #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/staticfiles.json")) == before)
        for hashed in try manifest(root).values { #expect(FileManager.default.fileExists(atPath: root + "/" + hashed), "\(hashed)") }
        let leftovers = FileManager.default.subpaths(atPath: root)!.filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func missingSourceMapsCanBeWarnedAboutInsteadOfFailing() throws {
        let t = try TempTree()
        defer { t.remove() }
        try t.write("src/js/app.js", "console.log(1)\n//# sourceMappingURL=app.js.map\n")
        var options = CollectStaticOptions(staticRoot: t.root + "/root", sources: [.init(path: t.root + "/src")])
        options.storage = .manifest
        #expect(throws: HashingError.missingReference(file: "js/app.js", reference: "app.js.map", lookedFor: "js/app.js.map")) {
            try CollectStatic(options: options).run()
        }
        options.missingReferences = .warnForSourceMaps
        let recorder = RecordingLogHandler()
        _ = try CollectStatic(options: options, logger: Logger(label: "t") { _ in recorder }).run()
        #expect(recorder.warnings.contains { $0.contains("js/app.js") && $0.contains("app.js.map") })
        let hashedJS = try manifest(t.root + "/root")["js/app.js"]!
        #expect(try String(contentsOfFile: t.root + "/root/" + hashedJS, encoding: .utf8).hasSuffix("//# sourceMappingURL=app.js.map\n"))
        // Only source maps: a missing image still fails.
        try t.write("src/css/a.css", "body { background: url(missing.png) }")
        #expect(throws: HashingError.missingReference(file: "css/a.css", reference: "missing.png", lookedFor: "css/missing.png")) {
            try CollectStatic(options: options).run()
        }
    }

    /// Large files are hashed and copied in chunks: a 32 MiB video never sits in memory whole.
    @Test(.requires(.time)) func largeFilesKeepMemoryBounded() throws {
        let t = try TempTree()
        defer { t.remove() }
        var rng = SeededGenerator(seed: 7)
        let block = Data((0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        var video = Data()
        for i in 0..<32 { video.append(block); video.append(UInt8(i)) }
        try t.write("src/video/intro.mp4", video)
        try t.write("src/app.css", "body { color: red }")
        let run = try runMeasuringPeakMemory(CLIProcess.executable, ["collectstatic", "--static-root", t.root + "/root",
                                                                     "--source", t.root + "/src", "-v", "0"])
        #expect(run.status == 0, "\(run.stderr)")
        let kib = try #require(run.peakKiB, "no peak RSS measured: \(run.stderr)")
        #expect(kib < 48 * 1024, "peak RSS \(kib) KiB while collecting a 32 MiB file")
        let hashed = try manifest(t.root + "/root")["video/intro.mp4"]!
        #expect(FileManager.default.contents(atPath: t.root + "/root/" + hashed) == FileManager.default.contents(atPath: t.root + "/src/video/intro.mp4"))
    }

    @Test func badTreesAreClearErrors() throws {
        let t = try TempTree()
        defer { t.remove() }
        let src = try StorageFixtures.site(t)
        let inside = CollectStaticOptions(staticRoot: src + "/collected", sources: [.init(path: src)])
        #expect(throws: CollectStaticError.overlappingRoot(staticRoot: src + "/collected", source: src)) { try CollectStatic(options: inside).run() }
        let missing = CollectStaticOptions(staticRoot: t.root + "/out", sources: [.init(path: t.root + "/nope")])
        #expect(throws: CollectStaticError.missingSource(t.root + "/nope")) { try CollectStatic(options: missing).run() }
    }

    @Test func storagesByName() {
        #expect(StorageKind(name: "ManifestStaticFilesStorage") == .manifest)
        #expect(StorageKind(name: "django.contrib.staticfiles.storage.ManifestStaticFilesStorage") == .manifest)
        #expect(StorageKind(name: "whitenoise.storage.CompressedManifestStaticFilesStorage") == .compressedManifest)
        #expect(StorageKind(name: "django.contrib.staticfiles.storage.StaticFilesStorage") == .staticFiles)
        #expect(StorageKind(name: "whitenoise.storage.CompressedStaticFilesStorage") == .compressed)
        #expect(StorageKind(name: "elsewhere.ManifestStaticFilesStorage") == nil)
        #expect(StorageKind(name: "Nope") == nil)
    }


}
