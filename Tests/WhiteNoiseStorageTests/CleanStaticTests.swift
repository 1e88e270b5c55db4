import Foundation
import Testing
import WhiteNoise
import WhiteNoiseStorage
import WhiteNoiseTestSupport

/// `whitenoise clean` on a STATIC_ROOT built by real collectstatic runs over five releases.
@Suite(.offCooperativePool) struct CleanStaticTests {
    static let day = 86_400
    /// "Now" for the library's runs (the command's own is a moment later): ages are exact.
    static let now = Int(Date().timeIntervalSince1970)

    /// A STATIC_ROOT after five releases of `css/app.css` (and one unchanged `js/app.js`): the
    /// hashed names of the five versions, oldest first, each aged `ages[i]` days (the last one
    /// is the manifest's current version). Also holds `vendor/lib.0123456789ab.js`, an original
    /// that only looks hashed, and a stray `notes.abcdefabcdef.txt`, both ten days old.
    struct Releases {
        let tree: TempTree
        let root: String
        let versions: [String]

        init(ages: [Int] = [5, 4, 3, 2, 1]) throws {
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
                    try tree.setMTime("static_root/" + hashed + suffix, CleanStaticTests.now - age * CleanStaticTests.day)
                }
                versions.append(hashed)
            }
            self.versions = versions
            try tree.write("static_root/notes.abcdefabcdef.txt", "not a hashed version: its md5 differs")
            for old in ["static_root/notes.abcdefabcdef.txt", "static_root/vendor/lib.0123456789ab.js"] {
                try tree.setMTime(old, CleanStaticTests.now - 10 * CleanStaticTests.day)
            }
        }

        static func manifest(_ root: String) throws -> [String: String] {
            let data = try Data(contentsOf: URL(fileURLWithPath: root + "/staticfiles.json"))
            return try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["paths"] as? [String: String])
        }

        func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: root + "/" + relative) }

        /// Every file under the root, relative.
        func files() -> Set<String> {
            Set((FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { path in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory) && !isDirectory.boolValue
            })
        }

        func clean(keep: Int = 2, age: Int = 3600, dryRun: Bool = false) throws -> CleanStatic.Summary {
            try CleanStatic(options: .init(staticRoot: root, keep: keep, age: Double(age), dryRun: dryRun))
                .run(now: Date(timeIntervalSince1970: TimeInterval(CleanStaticTests.now)))
        }
    }

    @Test func keepsTheCurrentAndTheTwoMostRecentEarlierVersions() throws {
        let site = try Releases()
        defer { site.tree.remove() }
        let before = site.files()
        let sizes = try Dictionary(uniqueKeysWithValues: before.map { path in
            (path, Int64(try #require(try FileManager.default.attributesOfItem(atPath: site.root + "/" + path)[.size] as? Int)))
        })
        let digestsBefore = try #require(DigestIndex(parsing: try String(contentsOfFile: site.root + "/staticfiles.digests", encoding: .utf8)))
        let summary = try site.clean()

        let gone = before.filter { path in site.versions[..<2].contains { path == $0 || path.hasPrefix($0 + ".") } }
        #expect(gone.count >= 4, "two versions, each with .gz and .br at least: \(gone.sorted())")
        #expect(Set(summary.removed) == gone)
        #expect(site.files() == before.subtracting(gone))
        #expect(summary.bytes == sizes.filter { gone.contains($0.key) }.values.reduce(0, +))
        #expect(summary.keptVersions == 3 + 2)  // app.css: current + 2 earlier; js/app.js and vendor/lib: current
        // Untouched: the current version, unhashed originals (also the one that looks hashed),
        // the stray look-alike and the metadata.
        for kept in [site.versions[4], site.versions[3], site.versions[2], "css/app.css", "vendor/lib.0123456789ab.js",
                     "notes.abcdefabcdef.txt", "staticfiles.json", "staticfiles.digests"] {
            #expect(site.exists(kept), "\(kept)")
        }
        // The digest index lost exactly the removed entries.
        let digests = try #require(DigestIndex(parsing: try String(contentsOfFile: site.root + "/staticfiles.digests", encoding: .utf8)))
        #expect(Set(digests.files.keys) == Set(digestsBefore.files.keys).subtracting(gone))

        // Idempotent.
        let again = try site.clean()
        #expect(again.removed.isEmpty && again.bytes == 0 && site.files() == before.subtracting(gone))
    }

    @Test func keepsEveryVersionYoungerThanAgeWhateverKeepSays() throws {
        let site = try Releases()
        defer { site.tree.remove() }
        let summary = try site.clean(keep: 0, age: 3 * Self.day + 3600)
        #expect(Set(summary.removed.filter { !$0.hasSuffix(".gz") && !$0.hasSuffix(".br") && !$0.hasSuffix(".zst") })
                == Set(site.versions[..<2]))
        #expect(site.exists(site.versions[2]) && site.exists(site.versions[3]) && site.exists(site.versions[4]))

        let onlyCurrent = try site.clean(keep: 0, age: 0)
        #expect(onlyCurrent.removed.contains(site.versions[2]) && onlyCurrent.removed.contains(site.versions[3]))
        #expect(site.exists(site.versions[4]) && site.exists("css/app.css"))
        // Ten days old and never listed, but not hashed versions: their MD5s differ.
        #expect(site.exists("notes.abcdefabcdef.txt") && site.exists("vendor/lib.0123456789ab.js"))
        #expect(!onlyCurrent.removed.contains { $0.hasPrefix("notes") || $0 == "vendor/lib.0123456789ab.js" })
    }

    /// After a rollback the manifest's version can be the oldest file: it still stays, and the
    /// earlier versions kept are the most recent others.
    @Test func theManifestsVersionStaysEvenWhenItIsTheOldest() throws {
        let site = try Releases(ages: [5, 4, 3, 2, 30])
        defer { site.tree.remove() }
        let summary = try site.clean(keep: 1, age: 0)
        #expect(site.exists(site.versions[4]) && site.exists(site.versions[3]))
        #expect(!site.exists(site.versions[0]) && !site.exists(site.versions[1]) && !site.exists(site.versions[2]))
        #expect(summary.keptVersions == 2 + 2)
    }

    @Test func aDryRunListsWhatARunRemovesAndRemovesNothing() throws {
        let site = try Releases()
        defer { site.tree.remove() }
        let before = site.files()
        let digests = try String(contentsOfFile: site.root + "/staticfiles.digests", encoding: .utf8)
        let dry = try site.clean(dryRun: true)
        #expect(!dry.removed.isEmpty)
        #expect(site.files() == before)
        #expect(try String(contentsOfFile: site.root + "/staticfiles.digests", encoding: .utf8) == digests)
        #expect(try site.clean() == dry)
    }

    @Test func withoutAManifestNothingIsRemoved() throws {
        let site = try Releases()
        defer { site.tree.remove() }
        try FileManager.default.removeItem(atPath: site.root + "/staticfiles.json")
        let before = site.files()
        #expect(throws: CleanStatic.Failure.noManifest(site.root)) { try site.clean() }
        #expect(site.files() == before)
        try site.tree.write("static_root/staticfiles.json", #"{"paths": ["not", "a", "dict"], "version": "1.1"}"#)
        #expect(throws: CleanStatic.Failure.unreadableManifest(site.root + "/staticfiles.json")) { try site.clean() }
        #expect(throws: CleanStatic.Failure.invalidOption("--keep must be 0 or more; got -1")) { try site.clean(keep: -1) }
        #expect(site.files().subtracting(["staticfiles.json"]) == before)
    }

    @Test func theCommandLineSaysWhatWent() throws {
        let site = try Releases(ages: [5, 4, 3, 2, 1])
        defer { site.tree.remove() }
        var sizes: [String: Int] = [:]
        for path in site.files() {
            sizes[path] = try FileManager.default.attributesOfItem(atPath: site.root + "/" + path)[.size] as? Int
        }
        let (dryStatus, dryOut, dryErr) = try CLIProcess.run(["clean", "--static-root", site.root, "--keep", "1", "--age", "0", "--dry-run"])
        #expect(dryStatus == 0, "\(dryErr)")
        #expect(dryOut.contains("would remove \(site.versions[0])\n") && dryOut.contains("would remove \(site.versions[2])\n"))
        #expect(!dryOut.contains(site.versions[3]) && site.exists(site.versions[0]))
        // The command's "now" is the real one: every version is older than --age 0.
        let (status, out, err) = try CLIProcess.run(["clean", "--static-root", site.root, "--keep", "1", "--age", "0"])
        #expect(status == 0, "\(err)")
        let listed = dryOut.split(separator: "\n").filter { $0.hasPrefix("would remove ") && !$0.contains(" files (") }
            .map { String($0.dropFirst("would remove ".count)) }
        let listedBytes = listed.reduce(0) { $0 + (sizes[$1] ?? -1_000_000) }
        #expect(dryOut.hasSuffix("would remove \(listed.count) files (\(listedBytes) bytes); 4 hashed versions kept\n"), "\(dryOut)")
        #expect(out == "removed \(listed.count) files (\(listedBytes) bytes); 4 hashed versions kept\n", "\(out)")
        #expect(!site.exists(site.versions[0]) && site.exists(site.versions[3]) && site.exists(site.versions[4]))

        let (badStatus, _, badErr) = try CLIProcess.run(["clean", "--static-root", site.tree.root + "/nowhere"])
        #expect(badStatus == 1 && badErr.contains("no directory at") && !badErr.contains("Usage:"), "\(badErr)")
        let (usageStatus, _, usageErr) = try CLIProcess.run(["clean", "--static-root", site.root, "--keep=-1"])
        #expect(usageStatus == 64 && usageErr.contains("--keep must be 0 or more"), "\(usageErr)")
    }
}
