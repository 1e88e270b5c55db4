import Foundation
import Testing
import WhiteNoise
@testable import WhiteNoiseStorage
import WhiteNoiseTestSupport
import WhiteNoiseDjango

/// `whitenoise collectstatic` killed (SIGKILL) at many points of a re-run that changes, adds and
/// removes files. After each kill, STATIC_ROOT is one that the engine can serve: every file is
/// one version, and each of its variants is that same version; the manifest is one run's; the
/// digest index agrees with the bytes wherever it is used; the integrity values agree with the
/// hashed files the manifest names. The next run then ends exactly as an uninterrupted one
/// and leaves no temporary file.
@Suite(.offCooperativePool) struct KillTests {
    /// Release 1 and release 2 of the sources: 10 files changed, 5 added, 5 removed.
    func makeReleases(_ t: TempTree) throws -> (String, String) {
        for release in 1...2 {
            for i in 0..<30 {
                let removed = release == 2 && i >= 25, added = release == 1 && i >= 25
                if removed { continue }
                let name = added ? "new\(i)" : "f\(i)"
                let changed = release == 2 && i < 10
                let body = String(repeating: "/* \(name) release \(changed ? 2 : 1) */ .c\(i) { color: red; margin: \(i)px }\n", count: 40 + i)
                try t.write("src\(release)/css/\(release == 1 && i >= 25 ? "gone\(i)" : name).css",
                            (i % 3 == 0 ? "@import url('../img/i\(i % 5).svg');\n" : "") + body)
                try t.write("src\(release)/js/\(release == 1 && i >= 25 ? "gone\(i)" : name).js",
                            "export const v\(i) = \"\(String(repeating: changed ? "b" : "a", count: 300 + i))\";\n")
            }
            for i in 0..<5 { try t.write("src\(release)/img/i\(i).svg", "<svg xmlns='http://www.w3.org/2000/svg' id='i\(i)'/>") }
        }
        return (t.root + "/src1", t.root + "/src2")
    }

    func collect(_ source: String, into root: String) throws {
        var options = CollectStaticOptions(staticRoot: root, sources: [.init(path: source)])
        options.compressionCache = nil
        _ = try CollectStatic(options: options).run()
    }

    /// A copy of a folder with its mtimes (collectstatic compares them).
    func copyTree(_ from: String, _ to: String) throws {
        _ = try TempTree.pipe(["cp", "-a", from, to], Data())
    }

    func contents(_ root: String) throws -> [String: Data] { try TempTreeShim.servedContents(root) }

    /// The first release collected into `release1`, and what an uninterrupted run of the
    /// second release makes of a copy of it: the second sources, the folder, and the served
    /// contents before and after.
    func releasedOnceThenUninterrupted(_ t: TempTree) throws -> (src2: String, release1: String, old: [String: Data], new: [String: Data]) {
        let (src1, src2) = try makeReleases(t)
        let release1 = t.root + "/release1", uninterrupted = t.root + "/uninterrupted"
        try collect(src1, into: release1)
        try copyTree(release1, uninterrupted)
        try collect(src2, into: uninterrupted)
        return (src2, release1, try contents(release1), try contents(uninterrupted))
    }

    @Test func killedAtManyPointsTheRootStaysServeableAndTheNextRunCompletes() throws {
        let t = try TempTree()
        defer { t.remove() }
        let (src2, release1, old, new) = try releasedOnceThenUninterrupted(t)
        #expect(old[DjangoManifest.fileName] != new[DjangoManifest.fileName])

        // Log lines of an uninterrupted run (one per copied file, one per variant written).
        let probe = t.root + "/probe"
        try copyTree(release1, probe)
        let (status, _, log) = try CLIProcess.run(["collectstatic", "--static-root", probe, "--source", src2, "--no-cache", "-v", "2"])
        try #require(status == 0, "\(log)")
        let lines = log.components(separatedBy: "whitenoise.collectstatic").count - 1
        try #require(lines > 40, "\(lines) log lines")

        var killPoints = Array(stride(from: 1, to: lines - 1, by: max(1, lines / 12)))
        killPoints.append(lines - 2)
        var killed = 0
        for point in killPoints {
            let root = t.root + "/killed\(point)"
            try copyTree(release1, root)
            let run = try CLIProcess(["collectstatic", "--static-root", root, "--source", src2, "--no-cache", "-v", "2"])
            #expect(run.waitForStandardError(containing: "whitenoise.collectstatic", count: point))
            run.signal(SIGKILL)
            // The signal lands a little after the line was read; near the end, the run may have
            // finished by then (on a tmpfs its last steps take microseconds): then it must have
            // succeeded, and the checks below hold all the same.
            let status = run.waitForExit()
            #expect(status == 128 + SIGKILL || status == 0, "point \(point): \(run.standardErrorSoFar())")
            if status == 128 + SIGKILL { killed += 1 }
            try expectServeable(root, old: old, new: new, point: point)
            let (again, _, errors) = try CLIProcess.run(["collectstatic", "--static-root", root, "--source", src2, "--no-cache"])
            #expect(again == 0, "\(errors)")
            let finished = try contents(root)
            #expect(finished == new, "point \(point): differs from an uninterrupted run in \(Set(finished.keys).symmetricDifference(new.keys).union(new.keys.filter { finished[$0] != new[$0] }).sorted().prefix(5))")
            #expect(finished.keys.allSatisfy { !$0.contains(".tmp-") }, "point \(point): temporary files left")
        }
        #expect(killed >= killPoints.count - 2, "only \(killed) of \(killPoints.count) runs were killed before they ended")
    }

    /// What the engine would serve from `root` is consistent (see the suite's comment).
    func expectServeable(_ root: String, old: [String: Data], new: [String: Data], point: Int) throws {
        let now = try contents(root)
        #expect(now[DjangoManifest.fileName] == old[DjangoManifest.fileName] || now[DjangoManifest.fileName] == new[DjangoManifest.fileName], "point \(point): manifest")
        for (name, bytes) in now where !ContentCoding.variantSuffixes.contains(where: { name.hasSuffix($0.suffix) })
            && !DigestIndex.metadataFileNames.contains(name) && name != DjangoManifest.fileName && !name.contains(".tmp-") {
            let release: [String: Data]
            if old[name] == bytes { release = old } else if new[name] == bytes { release = new } else {
                Issue.record("point \(point): \(name) is neither release")
                continue
            }
            // A variant may be missing (not written yet: the file is served as it is), never
            // another version's.
            for suffix in [".gz", ".br", ".zst"] where now[name + suffix] != nil {
                #expect(now[name + suffix] == release[name + suffix], "point \(point): \(name)\(suffix) is not the version of \(name)")
            }
        }
        // The digest index, where the engine trusts it (size and mtime match), is right.
        if let text = try? String(contentsOfFile: root + "/" + DigestIndex.fileName, encoding: .utf8), let index = DigestIndex(parsing: text) {
            let fresh = DigestIndex.build(root: root, only: Set(index.files.keys))
            for (name, entry) in index.files {
                guard let actual = fresh.files[name], actual.size == entry.size, actual.mtime == entry.mtime,
                    actual.mtimeNanoseconds == entry.mtimeNanoseconds else { continue }
                #expect(actual.digest == entry.digest, "point \(point): digest of \(name)")
            }
        }
        // The integrity values of the hashed names the manifest lists match their files.
        let manifest = try JSONSerialization.jsonObject(with: now[DjangoManifest.fileName] ?? Data("{}".utf8)) as? [String: Any]
        if let paths = manifest?["paths"] as? [String: String], let integrity = try IntegrityIndex.read(root: root) {
            for hashed in paths.values {
                guard let value = integrity.files[hashed], let bytes = now[hashed] else { continue }
                #expect(value == SHA384.integrity(Array(bytes)), "point \(point): integrity of \(hashed)")
            }
        }
    }

    /// Two runs never interleave in one STATIC_ROOT: while another holds the lock, a run says
    /// it waits and writes nothing; it completes once the lock is released.
    @Test func aSecondRunWaitsForTheFirst() throws {
        let t = try TempTree()
        defer { t.remove() }
        let (src1, _) = try makeReleases(t)
        let root = t.root + "/root"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let fd = open(root + "/" + RunLock.fileName, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        try #require(fd >= 0 && flock(fd, LOCK_EX) == 0)
        let run = try CLIProcess(["collectstatic", "--static-root", root, "--source", src1, "--no-cache"])
        #expect(run.waitForStandardError(containing: "waiting for another collectstatic run in \(root)"))
        #expect(run.isRunning)
        #expect(!FileManager.default.fileExists(atPath: root + "/" + DjangoManifest.fileName))
        #expect((try FileManager.default.contentsOfDirectory(atPath: root)) == [RunLock.fileName])
        flock(fd, LOCK_UN)
        close(fd)
        #expect(run.waitForExit() == 0, "\(run.standardErrorSoFar())")
        #expect(FileManager.default.fileExists(atPath: root + "/" + DjangoManifest.fileName))
    }

    /// Power loss cannot be simulated here, so the order of the calls is checked instead (with
    /// strace, on Linux): every file is written and renamed into place, then the file system
    /// is flushed (`syncfs`), then the manifest's bytes (`fsync`), then its rename, then its
    /// folder (`fsync`); nothing is renamed into place after that.
    @Test(.requires(.strace)) func everyFileIsDurableBeforeTheManifestNamesIt() throws {
        let strace = try Peer.strace.require()
        let t = try TempTree()
        defer { t.remove() }
        let (src1, _) = try makeReleases(t)
        let root = t.root + "/root", trace = t.root + "/trace.txt"
        let (status, _, errors) = try ChildProcess.run([strace, "-f", "-o", trace, "-e", "trace=syncfs,fsync,rename,renameat,renameat2",
                                                        CLIProcess.executable, "collectstatic", "--static-root", root, "--source", src1, "--no-cache"])
        try #require(status == 0, "\(String(decoding: errors, as: UTF8.self))")
        let calls = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
            .filter { !$0.contains("resumed>") || $0.contains("= 0") }
        func index(_ predicate: (String) -> Bool) -> Int? { calls.firstIndex(where: predicate) }
        let manifestRename = try #require(index { $0.contains("rename") && $0.contains("/staticfiles.json\"") && $0.contains(".tmp-") })
        let syncfs = try #require(index { $0.contains("syncfs(") })
        let renames = calls.indices.filter { calls[$0].contains("rename") && calls[$0].contains(".tmp-") }
        #expect(renames.count > 100)
        #expect(renames.allSatisfy { $0 < syncfs || $0 == manifestRename }, "a file was renamed into place after syncfs")
        #expect(syncfs < manifestRename)
        #expect(calls[syncfs..<manifestRename].contains { $0.contains("fsync(") }, "the manifest's bytes were not flushed before its rename")
        #expect(calls[(manifestRename + 1)...].contains { $0.contains("fsync(") }, "the folder was not flushed after the rename")
    }

    /// A disk that fills up part-way (a tmpfs a little larger than the previous release, in a
    /// private mount namespace): the run fails with the path and the cause and exit status 1,
    /// no usage text; STATIC_ROOT is as consistent as after a kill; once there is space again
    /// the next run ends exactly as an uninterrupted one.
    @Test(.requires(.privateMounts)) func aFullDiskFailsCleanlyAndTheNextRunCompletes() throws {
        _ = try Peer.privateMounts.require()
        let t = try TempTree()
        defer { t.remove() }
        let (src2, release1, old, new) = try releasedOnceThenUninterrupted(t)
        let usedKiB = try #require(Int(String(decoding: try TempTree.pipe(["du", "-sk", release1], Data()), as: UTF8.self)
            .split(separator: "\t").first ?? ""))
        let mount = t.root + "/mnt", out = t.root + "/out"
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let script = """
            mount -t tmpfs -o size=\(usedKiB + 96)k tmpfs "$1" || exit 90
            cp -a "$2" "$1/root" || exit 91
            "$3" collectstatic --static-root "$1/root" --source "$4" --no-cache >"$5/stdout1" 2>"$5/stderr1"; echo $? >"$5/status1"
            cp -a "$1/root" "$5/failed"
            mount -o remount,size=64m "$1" || exit 92
            "$3" collectstatic --static-root "$1/root" --source "$4" --no-cache >"$5/stdout2" 2>"$5/stderr2"; echo $? >"$5/status2"
            cp -a "$1/root" "$5/completed"
            """
        let (status, _, errors) = try ChildProcess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
                                                        mount, release1, CLIProcess.executable, src2, out])
        try #require(status == 0, "\(String(decoding: errors, as: UTF8.self))")
        func read(_ name: String) throws -> String { try String(contentsOfFile: out + "/" + name, encoding: .utf8) }
        let firstErrors = try read("stderr1")
        #expect(try read("status1").trimmingCharacters(in: .whitespacesAndNewlines) == "1", "\(firstErrors)")
        #expect(firstErrors.contains("No space left on device") && firstErrors.contains(mount + "/root/"), "\(firstErrors)")
        #expect(!firstErrors.contains("Usage"), "\(firstErrors)")
        try expectServeable(out + "/failed", old: old, new: new, point: -1)
        let secondErrors = try read("stderr2")
        #expect(try read("status2").trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(secondErrors)")
        let completed = try contents(out + "/completed")
        #expect(completed == new, "differs from an uninterrupted run in \(Set(completed.keys).symmetricDifference(new.keys).union(new.keys.filter { completed[$0] != new[$0] }).sorted().prefix(5))")
        #expect(completed.keys.allSatisfy { !$0.contains(".tmp-") })
    }
}
