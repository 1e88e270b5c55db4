import Foundation
import Testing
import WhiteNoiseStorage
import WhiteNoiseStorageTestSupport
import WhiteNoiseTestSupport

/// `whitenoise collectstatic`, `findstatic`, `cache`, `compress` and `clean` as a user runs
/// them: real child processes, their output, their exit statuses (0; 1 for a runtime error
/// with the error alone; 64 for a usage error with usage text).
@Suite(.offCooperativePool) struct CommandTests {
    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    @Test func cliCollectstaticAndFindstatic() throws {
        let t = try TempTree()
        defer { t.remove() }
        let src = try StorageFixtures.site(t)
        try t.write("extra/robots.txt", "User-agent: *")
        let root = t.root + "/static_root"
        let (status, out, err) = try CLIProcess.run(["collectstatic", "--static-root", root, "--source", src, "--source", "seo=" + t.root + "/extra"])
        #expect(status == 0, "\(err)")
        #expect(out.hasPrefix("4 static files copied, 4 post-processed, ") && out.contains("variants compressed (saved"))
        #expect(FileManager.default.fileExists(atPath: root + "/seo/robots.txt"))
        let (bad, _, badErr) = try CLIProcess.run(["collectstatic", "--static-root", root, "--source", src, "--storage", "Bogus"])
        #expect(bad == 64 && badErr.contains("unknown storage 'Bogus'") && badErr.contains("CompressedManifestStaticFilesStorage"))
        let (found, foundOut, _) = try CLIProcess.run(["findstatic", "css/app.css", "--source", src])
        #expect(found == 0 && foundOut.contains("Found 'css/app.css' here:") && foundOut.contains(src + "/css/app.css"))
        let (notFound, _, nfErr) = try CLIProcess.run(["findstatic", "css/nope.css", "--source", src])
        #expect(notFound == 1 && nfErr.contains("No matching file found for 'css/nope.css'"))
    }

    @Test func cliReadsTheSettingsFileAndFlagsOverrideIt() throws {
        let t = try TempTree()
        defer { t.remove() }
        _ = try StorageFixtures.site(t)
        try t.write("settings.env", """
            STATIC_ROOT=collected
            STATICFILES_DIRS=src
            STORAGE=ManifestStaticFilesStorage
            WHITENOISE_KEEP_ONLY_HASHED_FILES=true
            """)
        let (status, out, err) = try CLIProcess.run(["collectstatic", "--settings", t.root + "/settings.env"])
        #expect(status == 0, "\(err)")
        #expect(out.contains("static files copied") && !out.contains("variants compressed"))  // a manifest storage, no compression
        #expect(FileManager.default.fileExists(atPath: t.root + "/collected/staticfiles.json"))
        #expect(!FileManager.default.fileExists(atPath: t.root + "/collected/css/app.css"))  // only hashed files kept
        // --set wins over the file; a bad key names the file, the key and the closest valid one.
        let (s2, _, e2) = try CLIProcess.run(["collectstatic", "--settings", t.root + "/settings.env", "--set", "STORAGE=Bogus"])
        #expect(s2 == 1 && !e2.contains("Usage:") && e2.contains("command line") && e2.contains("STORAGE") && e2.contains("Bogus"))
        try t.write("typo.env", "STATIC_ROOTS=x\n")
        let (s3, _, e3) = try CLIProcess.run(["collectstatic", "--settings", t.root + "/typo.env"])
        #expect(s3 == 1 && !e3.contains("Usage:") && e3.contains("typo.env:1") && e3.contains("did you mean STATIC_ROOT?"))
        let (s4, _, e4) = try CLIProcess.run(["collectstatic", "--source", t.root + "/src"])
        #expect(s4 == 64 && e4.contains("STATIC_ROOT is not set"))
        // A missing reference is a runtime error: the error alone, status 1.
        try t.write("broken/css/a.css", "body { background: url('gone.png') }")
        let (s5, _, e5) = try CLIProcess.run(["collectstatic", "--static-root", t.root + "/out", "--source", t.root + "/broken"])
        #expect(s5 == 1 && !e5.contains("Usage:") && e5.contains("gone.png") && e5.contains("css/a.css"), "\(e5)")
    }


    @Test func theCommandShowsTheSizeAndClears() throws {
        let t = try TempTree()
        defer { t.remove() }
        let src = try StorageFixtures.textSources(t)
        let cache = t.root + "/cache"
        let (status, out, errors) = try CLIProcess.run(["collectstatic", "--static-root", t.root + "/a", "--source", src, "--cache-dir", cache])
        #expect(status == 0, "\(errors)")
        let usage = CompressionCache(directory: cache).usage()
        #expect(usage.entries > 40)
        let (_, shown, _) = try CLIProcess.run(["cache", "--cache-dir", cache])
        #expect(shown.hasPrefix("\(cache): \(usage.entries) entries, ") && shown.contains("(limit 2.0 GiB)"), "\(shown)")
        let (_, warm, _) = try CLIProcess.run(["collectstatic", "--static-root", t.root + "/b", "--source", src, "--cache-dir", cache])
        #expect(warm.contains("from the cache"), "\(warm) after \(out)")
        let (_, noCache, _) = try CLIProcess.run(["collectstatic", "--static-root", t.root + "/c", "--source", src, "--no-cache"])
        #expect(!noCache.contains("from the cache"))
        let (cleared, clearedOut, _) = try CLIProcess.run(["cache", "--cache-dir", cache, "--clear"])
        #expect(cleared == 0 && clearedOut.contains("cleared") && CompressionCache(directory: cache).usage().entries == 0)
        let (both, _, bothErrors) = try CLIProcess.run(["collectstatic", "--static-root", t.root + "/d", "--source", src,
                                                        "--cache-dir", cache, "--no-cache"])
        #expect(both == 64 && bothErrors.contains("contradict"))
        // The settings key names the folder (and "off" turns the cache off).
        let (viaSettings, viaOut, _) = try CLIProcess.run(["collectstatic", "--static-root", t.root + "/e", "--source", src],
                                                          environment: ["WHITENOISE_CACHE_DIR": cache])
        #expect(viaSettings == 0 && !viaOut.contains("from the cache") && CompressionCache(directory: cache).usage().entries == usage.entries)
        let (off, _, _) = try CLIProcess.run(["cache"], environment: ["WHITENOISE_CACHE_DIR": "off"])
        #expect(off == 64)
    }


    @Test(StorageFixtures.needsZstd) func cliMirrorsWhiteNoiseCompress() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let css = try tree.write("a.css", String(repeating: "a{}", count: 1000))
        let (status, out, _) = try CLIProcess.run(["compress", tree.root, "--no-brotli", "-q"])
        #expect(status == 0 && out.isEmpty)
        #expect(exists(css + ".gz") && exists(css + ".zst") && !exists(css + ".br"))
        let (missing, _, err) = try CLIProcess.run(["compress", tree.root + "/nope"])
        #expect(missing == 1 && err.contains("no directory at") && !err.contains("Usage:"))
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
