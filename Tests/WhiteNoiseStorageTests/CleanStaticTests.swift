import Foundation
import Testing
import WhiteNoise
import WhiteNoiseStorage
import WhiteNoiseTestSupport
import WhiteNoiseStorageTestSupport

/// `whitenoise clean` on a STATIC_ROOT built by real collectstatic runs over five releases.
@Suite(.offCooperativePool) struct CleanStaticTests {
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
        let summary = try site.clean(keep: 0, age: 3 * Releases.day + 3600)
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

}
