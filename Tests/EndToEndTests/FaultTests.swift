#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import Testing
import WhiteNoise
import WhiteNoiseTestSupport

/// Start-up faults (skipped with one warning each) and files that change after start-up.
@Suite(.offCooperativePool) struct FaultTests {
    @Test(arguments: ServerKind.allCases)
    func startupFaultsAreSkippedWithOneWarningEach(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("good.txt", "good")
        try tree.write("dir/also-good.txt", "also")
        try tree.symlink("broken-link", to: tree.root + "/does-not-exist")
        tree.fifo("a-fifo")
        try tree.symlink("self-loop", to: "self-loop")
        try tree.symlink("dir/loop-to-parent", to: "..")
        let socketPath = tree.root + "/a-socket"
        let fd = socket(AF_UNIX, streamSocketType, 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        // sun_path holds 108 bytes on Linux but 104 on Darwin, where the temporary folder's
        // path alone is about 50: a path that does not fit is bound under /tmp and moved in.
        let fits = socketPath.utf8.count < MemoryLayout.size(ofValue: addr.sun_path)
        let bindPath = fits ? socketPath : "/tmp/wn-\(UInt32.random(in: 0...UInt32.max)).sock"
        defer { if !fits { unlink(bindPath) } }
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bindPath.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        if !fits {
            // A socket file can be renamed like any other (same file system: /tmp and the
            // temporary folder are on Darwin's data volume); failing that, a symlink to it
            // reads as a socket to the scanner, which follows symlinks.
            if rename(bindPath, socketPath) != 0 { #expect(symlink(bindPath, socketPath) == 0) }
        }

        let recorder = RecordingLogHandler()
        let files = try makeFiles(tree.root, logger: Logger(label: "test") { _ in recorder })
        let warnings = recorder.warnings
        #expect(warnings.count == 5, "\(warnings)")
        #expect(warnings.filter { $0.contains("broken symlink") && $0.contains("broken-link") }.count == 1)
        #expect(warnings.filter { $0.contains("special file") && $0.contains("a-fifo") }.count == 1)
        #expect(warnings.filter { $0.contains("special file") && $0.contains("a-socket") }.count == 1)
        #expect(warnings.filter { $0.contains("loop") && $0.contains("self-loop") }.count == 1)
        #expect(warnings.filter { $0.contains("loop") && $0.contains("loop-to-parent") }.count == 1)
        try await withLiveServer(files, on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            #expect(try c.request("GET", "/static/good.txt").text == "good")
            #expect(try c.request("GET", "/static/dir/also-good.txt").text == "also")
            #expect(try c.request("GET", "/static/a-fifo").status == 404)
        }
    }

    @Test func missingRootIsAWarningNotACrash() throws {
        let recorder = RecordingLogHandler()
        var files = try StaticFiles(logger: Logger(label: "t") { _ in recorder })
        files.addFiles(root: "/nonexistent/whitenoise-\(UUID().uuidString)", prefix: "/static/")
        #expect(files.count == 0)
        #expect(recorder.warnings.count == 1)
        #expect(recorder.warnings.first?.contains("no directory at") == true)
    }

    /// Documented behaviour: a file held in memory keeps being served as it was read;
    /// a file sent from disk is checked on every request: rewritten in place, it is answered
    /// 503 until it has been unchanged for the quiet time, then read again.
    @Test(arguments: ServerKind.cachedCases, [true, false])
    func changedFilesNeverSendAMismatchedLength(server: ServerKind, inMemory: Bool) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("a.txt", "version one", mtime: 1_600_000_000)
        try tree.write("unrequested.txt", "before", mtime: 1_600_000_000)
        let files = try makeFiles(tree.root) { c in if !inMemory { c.maximumInMemoryFileSize = 0 } }
        try await withLiveServer(files, on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            let first = try c.request("GET", "/static/a.txt")
            #expect(first.text == "version one")
            let changed = ContinuousClock.now
            try tree.write("a.txt", "version two is longer", mtime: 1_700_000_000)
            try tree.write("unrequested.txt", "after the start", mtime: 1_700_000_000)
            var second = try c.request("GET", "/static/a.txt")
            #expect(Int(second["content-length"]!) == second.body.count)
            if inMemory {
                #expect(second.text == "version one" && second["etag"] == first["etag"])
            } else {
                // Rewritten in place: no version is whole until the file has been quiet.
                if ContinuousClock.now - changed < .nanoseconds(StaticFiles.changedFileQuietTime) {
                    #expect(second.status == 503 && second["retry-after"] == "1")
                }
                try await Task.sleep(nanoseconds: UInt64(StaticFiles.changedFileQuietTime) + 50_000_000)  // the documented quiet time
                second = try c.request("GET", "/static/a.txt")
                #expect(second.text == "version two is longer" && second["etag"] != first["etag"])
                #expect(second["last-modified"] == "Tue, 14 Nov 2023 22:13:20 GMT")
            }
            let ranged = try c.request("GET", "/static/a.txt", [("Range", "bytes=0-6")])
            #expect(ranged.status == 206 && ranged.body.count == 7)
            // A file first requested after it changed is read as it is now.
            #expect(try c.request("GET", "/static/unrequested.txt").text == "after the start")
        }
    }

    @Test(arguments: ServerKind.allCases)
    func vanishedFilesAreMissesNotCrashes(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("big.bin", String(repeating: "b", count: 1000))
        try tree.write("never-read.txt", "x")
        let files = try makeFiles(tree.root) { c in c.maximumInMemoryFileSize = 0 }
        try await withLiveServer(files, on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            #expect(try c.request("GET", "/static/big.bin").body.count == 1000)
            try tree.delete("big.bin")
            try tree.delete("never-read.txt")
            #expect(try c.request("GET", "/static/big.bin").status == 404)
            #expect(try c.request("GET", "/static/never-read.txt").status == 404)
            #expect(try c.request("HEAD", "/static/never-read.txt").status == 404)
        }
    }
}
