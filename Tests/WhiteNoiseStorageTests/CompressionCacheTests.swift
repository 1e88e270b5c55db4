import Foundation
import Testing
import WhiteNoise
@testable import WhiteNoiseStorage
import WhiteNoiseTestSupport
import WhiteNoiseStorageTestSupport

/// The shared compression cache: a fresh STATIC_ROOT built with a warm cache is byte for byte
/// the one built cold; a corrupt entry is compressed again, never served; two runs at once and
/// a run killed at any moment leave only whole entries; the cache stays within its size.
@Suite(.offCooperativePool) struct CompressionCacheTests {
    func collect(_ t: TempTree, into root: String, cache: String?) throws -> CollectStaticSummary {
        var options = CollectStaticOptions(staticRoot: root, sources: [.init(path: t.root + "/src")])
        options.compressionCache = cache.map { CompressionCache(directory: $0) }
        return try CollectStatic(options: options).run()
    }

    /// Every file of a STATIC_ROOT but the digest index (which records mtimes).
    func contents(_ root: String) throws -> [String: Data] { try TempTreeShim.servedContents(root) }

    func expectSame(_ a: [String: Data], _ b: [String: Data]) {
        #expect(Set(a.keys) == Set(b.keys), "only in one: \(Set(a.keys).symmetricDifference(b.keys).sorted())")
        let differing = a.keys.filter { b[$0] != nil && a[$0] != b[$0] }.sorted()
        #expect(differing.isEmpty, "different bytes: \(differing)")
    }

    func entries(_ cache: String) -> [String] {
        FileIO.walk(cache).filter { !$0.split(separator: "/").last!.hasPrefix(".") }
    }

    @Test func aFreshRootWithAWarmCacheIsByteIdenticalToAColdOne() throws {
        let t = try TempTree()
        defer { t.remove() }
        _ = try StorageFixtures.textSources(t)
        let cache = t.root + "/cache"
        let plain = try collect(t, into: t.root + "/no-cache", cache: nil)
        let cold = try collect(t, into: t.root + "/cold", cache: cache)
        #expect(cold.variantsFromCache == 0 && cold.variants == plain.variants && cold.variants > 40)
        let warm = try collect(t, into: t.root + "/warm", cache: cache)
        #expect(warm.variants == cold.variants && warm.variantsFromCache == warm.variants, "\(warm)")
        let reference = try contents(t.root + "/no-cache")
        expectSame(reference, try contents(t.root + "/cold"))
        expectSame(reference, try contents(t.root + "/warm"))
        #expect(try contents(t.root + "/warm").keys.contains { $0.hasSuffix(".br") })
        #expect(warm.line(seconds: 1).contains("from the cache"))
        // The digest index, partly filled from what compressing learnt (not read again), is
        // what reading every file gives.
        for root in ["/cold", "/warm", "/no-cache"] { try expectDigestIndexMatchesTheBytes(t.root + root) }
    }

    /// Every entry of the root's digest index has the size, XXH64 and integrity value of the
    /// file's bytes now (integrity: Python's hashlib).
    func expectDigestIndexMatchesTheBytes(_ root: String) throws {
        let text = try String(contentsOfFile: root + "/" + DigestIndex.fileName, encoding: .utf8)
        let index = try #require(DigestIndex(parsing: text))
        #expect(index.files.count > 40)
        let fresh = DigestIndex.build(root: root, only: Set(index.files.keys))
        for (name, entry) in index.files {
            #expect(entry.size == fresh.files[name]?.size && entry.digest == fresh.files[name]?.digest, "\(root)/\(name)")
        }
        let withIntegrity = index.files.filter { $0.value.integrity != nil }.map(\.key).sorted()
        #expect(withIntegrity.count * 2 < index.files.count)  // not the variants
        #expect(withIntegrity.map { index.files[$0]!.integrity } == (try TempTreeShim.integrity(ofFiles: withIntegrity.map { root + "/" + $0 })))
    }

    /// Incompressible content is recorded too, so a warm run does not try brotli on it again.
    @Test func notEffectiveOutcomesAreCached() throws {
        let t = try TempTree()
        defer { t.remove() }
        _ = try StorageFixtures.textSources(t)
        var compressor = Compressor(encodings: [.gzip, .br])
        compressor.cache = CompressionCache(directory: t.root + "/cache")
        let file = t.root + "/src/data/random.bin"
        let cold = try compressor.compress(file: file)
        #expect(cold.notEffective.sorted { $0.rawValue < $1.rawValue } == [.br, .gzip] && cold.fromCache.isEmpty)
        let warm = try compressor.compress(file: file)
        #expect(warm.notEffective.count == 2 && warm.fromCache == [.gzip, .br])
    }

    /// Large files go through the streaming encoders; their entries are kept apart and
    /// restored byte for byte as well.
    @Test func streamedFilesAreCachedAndRestoredExactly() throws {
        let t = try TempTree()
        defer { t.remove() }
        _ = try StorageFixtures.textSources(t)
        var compressor = Compressor(encodings: [.gzip, .br])
        compressor.streamingThreshold = 1024
        compressor.cache = CompressionCache(directory: t.root + "/cache")
        let file = t.root + "/src/css/s11.css"
        _ = try compressor.compress(file: file)
        let first = try [".gz", ".br"].map { try Data(contentsOf: URL(fileURLWithPath: file + $0)) }
        for suffix in [".gz", ".br"] { try FileManager.default.removeItem(atPath: file + suffix) }
        let warm = try compressor.compress(file: file)
        #expect(warm.fromCache == [.gzip, .br])
        #expect(try [".gz", ".br"].map { try Data(contentsOf: URL(fileURLWithPath: file + $0)) } == first)
        #expect(entries(t.root + "/cache").contains { $0.contains("-stream/") })
    }

    /// Entries damaged in three ways: a flipped payload byte, a truncated payload and a
    /// garbled header. Each is a miss: the variant is compressed again (the output equals the
    /// cold one) and the entry replaced, so the next run hits it.
    @Test func aCorruptEntryIsCompressedAgainAndNeverServed() throws {
        let t = try TempTree()
        defer { t.remove() }
        _ = try StorageFixtures.textSources(t)
        let cache = t.root + "/cache"
        _ = try collect(t, into: t.root + "/cold", cache: cache)
        var damaged = 0
        for (i, entry) in entries(cache).enumerated() {
            var bytes = try Data(contentsOf: URL(fileURLWithPath: entry))
            guard let newline = bytes.firstIndex(of: 10), bytes.count > newline + 8 else { continue }
            switch i % 3 {
            case 0: bytes[bytes.count - 3] ^= 0x40
            case 1: bytes = bytes.prefix(bytes.count - 5)
            default: bytes[0] = UInt8(ascii: "X")
            }
            try bytes.write(to: URL(fileURLWithPath: entry))
            damaged += 1
        }
        #expect(damaged > 30)
        let repaired = try collect(t, into: t.root + "/repaired", cache: cache)
        #expect(repaired.variantsFromCache < repaired.variants - 30)
        expectSame(try contents(t.root + "/cold"), try contents(t.root + "/repaired"))
        let again = try collect(t, into: t.root + "/again", cache: cache)
        #expect(again.variantsFromCache == again.variants)
        expectSame(try contents(t.root + "/cold"), try contents(t.root + "/again"))
    }

    @Test func twoRunsAtOnceShareTheCacheSafely() throws {
        let t = try TempTree()
        defer { t.remove() }
        _ = try StorageFixtures.textSources(t)
        let cache = t.root + "/cache"
        _ = try collect(t, into: t.root + "/reference", cache: nil)
        let failures = Box<String>(count: 2)
        DispatchQueue.concurrentPerform(iterations: 2) { run in
            do { _ = try self.collect(t, into: t.root + "/run\(run)", cache: cache) } catch { failures.set(run, "\(error)") }
        }
        #expect(failures.values.compactMap { $0 }.isEmpty)
        let reference = try contents(t.root + "/reference")
        expectSame(reference, try contents(t.root + "/run0"))
        expectSame(reference, try contents(t.root + "/run1"))
        #expect(FileIO.walk(cache).allSatisfy { !$0.split(separator: "/").last!.hasPrefix(".") }, "temporary files left")
        let warm = try collect(t, into: t.root + "/warm", cache: cache)
        #expect(warm.variantsFromCache == warm.variants)
    }

    /// `whitenoise collectstatic` killed while it compresses, again and again: the next run,
    /// and a fresh root with the cache that is left, are byte for byte the cold result.
    @Test func aRunKilledWhileCompressingLeavesOnlyWholeEntries() throws {
        let t = try TempTree()
        defer { t.remove() }
        let src = try StorageFixtures.textSources(t)
        _ = try collect(t, into: t.root + "/reference", cache: nil)
        let reference = try contents(t.root + "/reference")
        var cache = ""
        for round in 0..<4 {
            // Each round starts with an empty cache, so that its run stores entries as it goes.
            cache = t.root + "/cache\(round)"
            let root = t.root + "/killed\(round)"
            let run = try CLIProcess(["collectstatic", "--static-root", root, "--source", src, "--cache-dir", cache, "-v", "2"])
            // Killed after a different number of variants each round (each is logged as written,
            // on stderr); the run must still be going when it is killed.
            #expect(run.waitForStandardError(containing: " compressed ", count: 1 + round * 9), "\(run.standardErrorSoFar().suffix(300))")
            run.signal(SIGKILL)
            #expect(run.waitForExit() == 128 + SIGKILL, "round \(round): the run ended before it was killed")
            let (status, _, errors) = try CLIProcess.run(["collectstatic", "--static-root", root, "--source", src, "--cache-dir", cache])
            #expect(status == 0, "\(errors)")
            expectSame(reference, try contents(root))
        }
        _ = try collect(t, into: t.root + "/warm", cache: cache)
        expectSame(reference, try contents(t.root + "/warm"))
        // Temporary files of the killed runs: kept while recent (a run may still be writing),
        // removed by trim once an hour old.
        let temporary = FileIO.walk(cache).filter { $0.split(separator: "/").last!.hasPrefix(".") }
        let stale = cache + "/v1/" + "gzip-stale/ab/.abcdef.tmp-1-2"
        try FileManager.default.createDirectory(atPath: cache + "/v1/gzip-stale/ab", withIntermediateDirectories: true)
        try Data("partial".utf8).write(to: URL(fileURLWithPath: stale))
        var old = [timespec(tv_sec: time(nil) - 7200, tv_nsec: 0), timespec(tv_sec: time(nil) - 7200, tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, stale, &old, 0)
        CompressionCache(directory: cache).trim()
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(temporary.allSatisfy { FileManager.default.fileExists(atPath: $0) })
    }

    @Test func trimRemovesTheLeastRecentlyUsedEntriesFirst() throws {
        let t = try TempTree()
        defer { t.remove() }
        _ = try StorageFixtures.textSources(t)
        let cache = t.root + "/cache"
        _ = try collect(t, into: t.root + "/cold", cache: cache)
        let all = entries(cache).sorted()
        // Half the entries were last used a day ago, the others a minute ago.
        var sizes: [String: Int64] = [:]
        for (i, entry) in all.enumerated() {
            var st = stat()
            _ = stat(entry, &st)
            sizes[entry] = Int64(st.st_size)
            var times = [timespec(tv_sec: time(nil) - (i % 2 == 0 ? 86_400 : 60), tv_nsec: 0),
                         timespec(tv_sec: time(nil) - (i % 2 == 0 ? 86_400 : 60), tv_nsec: 0)]
            _ = utimensat(AT_FDCWD, entry, &times, 0)
        }
        let recent = all.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        let limit = recent.reduce(Int64(0)) { $0 + sizes[$1]! }
        let removed = CompressionCache(directory: cache, maxSize: limit).trim()
        #expect(Set(entries(cache)) == Set(recent))
        #expect(removed.entries == all.count - recent.count)
        #expect(CompressionCache(directory: cache).usage().bytes == limit)
        // A hit makes an entry recent again.
        let warm = try collect(t, into: t.root + "/warm", cache: cache)
        #expect(warm.variantsFromCache > 0 && warm.variantsFromCache < warm.variants)
    }

}
