#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CBrotli
import Foundation
import Testing
@testable import WhiteNoiseStorage
import WhiteNoise
import WhiteNoiseTestSupport

@Suite(.offCooperativePool) struct CompressorTests {
    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    func mtime(_ path: String) -> timespec {
        var st = stat()
        stat(path, &st)
        return st.modificationTime
    }

    /// The encodings this machine writes: all of them, without zstd when libzstd is missing
    /// or switched off.
    static let writable = ContentCoding.compressed.filter { $0 != .zstd || Codecs.zstdAvailable }
    /// Their file suffixes.
    static var writableSuffixes: [String] { [".gz", ".br"] + (Codecs.zstdAvailable ? [".zst"] : []) }

    @Test func compressesEffectiveFilesAndKeepsTheirMtime() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let css = try tree.write("css/app.css", String(repeating: "a { color: red }\n", count: 200), mtime: 1_600_000_000)
        let tiny = try tree.write("tiny.txt", "hi")
        let photo = try tree.write("img/photo.JPG", String(repeating: "x", count: 5000))
        let results = try Compressor().compress(tree: tree.root)
        #expect(results.count == 2)  // the .JPG is on the skip list, whatever its case
        #expect(exists(css + ".zst") == Codecs.zstdAvailable)
        for suffix in Self.writableSuffixes {
            #expect(exists(css + suffix), "\(suffix)")
            #expect(mtime(css + suffix).tv_sec == 1_600_000_000)
            #expect(!exists(tiny + suffix), "a 2-byte file never shrinks by 5%")
            #expect(!exists(photo + suffix))
        }
        let gz = try TempTree.pipe(["gzip", "-d", "-c"], try Data(contentsOf: URL(fileURLWithPath: css + ".gz")))
        #expect(gz == (try Data(contentsOf: URL(fileURLWithPath: css))))
        let tinyResult = try #require(results.first { $0.path == tiny })
        #expect(Set(tinyResult.notEffective) == Set(Self.writable))
        // No temporary files are left behind.
        let leftovers = FileIO.walk(tree.root).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func extensionsReplaceTheSkipListAndAnEmptyListCompressesEverything() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let jpg = try tree.write("a.jpg", String(repeating: "j", count: 5000))
        let css = try tree.write("a.css", String(repeating: "c", count: 5000))
        _ = try Compressor(encodings: [.gzip], skipExtensions: ["css"]).compress(tree: tree.root)
        #expect(exists(jpg + ".gz") && !exists(css + ".gz"))
        _ = try Compressor(encodings: [.gzip], skipExtensions: []).compress(tree: tree.root)
        #expect(exists(css + ".gz"))
        #expect(!exists(jpg + ".gz.gz"))  // now compressed too, but gzip of gzip data never saves 5%
    }

    @Test func eachEncodingIsJudgedOnItsOwn() throws {
        #expect(Compressor.isEffective(original: 100, compressed: 95))
        #expect(!Compressor.isEffective(original: 100, compressed: 96))
        #expect(!Compressor.isEffective(original: 0, compressed: 0))
        let tree = try TempTree()
        defer { tree.remove() }
        let path = try tree.write("a.js", String(repeating: "function f() { return 1 }\n", count: 100))
        let result = try Compressor(encodings: [.br, .gzip]).compress(file: path)
        #expect(Set(result.written.keys) == [.br, .gzip])
        #expect(!exists(path + ".zst"))
    }

    @Test func unreadableInputIsAClearError() {
        #expect(throws: StorageError.unreadable(path: "/nonexistent/x.css", errno: ENOENT)) {
            try Compressor().compress(file: "/nonexistent/x.css")
        }
        #expect(StorageError.unreadable(path: "/x", errno: ENOENT).description == "cannot read '/x': No such file or directory")
    }



    /// Without libzstd (here: `WHITENOISE_ZSTD=off`, as if it were absent) the other encodings
    /// are still written, and one warning says why `.zst` is not.
    @Test func withoutZstdTheOtherEncodingsAreStillWritten() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let css = try tree.write("a.css", String(repeating: "a{}", count: 1000))
        let (status, _, err) = try CLIProcess.run(["compress", tree.root], environment: ["WHITENOISE_ZSTD": "off"])
        #expect(status == 0, "\(err)")
        #expect(exists(css + ".gz") && exists(css + ".br") && !exists(css + ".zst"))
        #expect(err.components(separatedBy: "WHITENOISE_ZSTD=off: skipping .zst variants").count == 2, "\(err)")
    }

    @Test func identicalFilesAreCompressedOnceAndBothGetVariants() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let text = String(repeating: "shared content ", count: 300)
        let a = try tree.write("a.css", text, mtime: 1_500_000_000)
        let b = try tree.write("b.0123456789ab.css", text, mtime: 1_600_000_000)
        let results = try Compressor(encodings: [.gzip, .br]).compress(files: [a, b])
        #expect(results.map(\.path) == [a, b])
        #expect(results[0].written == results[1].written)
        for suffix in [".gz", ".br"] {
            #expect(FileManager.default.contents(atPath: a + suffix) == FileManager.default.contents(atPath: b + suffix))
        }
        #expect(mtime(b + ".br").tv_sec == 1_600_000_000 && mtime(a + ".br").tv_sec == 1_500_000_000)
    }

    /// Files above the streaming threshold go through the streaming encoders: gzip output is
    /// byte-identical to the one-shot path, brotli and zstd decode back to the original.
    @Test func largeFilesAreCompressedInOneStreamingPass() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        var text = ""
        for i in 0..<15_000 { text += "function f\(i)(a) { return a * \(i % 97) + \"\(i % 13)\"; }\n" }
        let path = try tree.write("big.js", text, mtime: 1_650_000_000)
        var streaming = Compressor()
        streaming.streamingThreshold = 64 * 1024
        let result = try streaming.compress(file: path)
        #expect(Set(result.written.keys) == Set(Self.writable))
        let original = Array(text.utf8)
        let gz = try #require(FileManager.default.contents(atPath: path + ".gz"))
        #expect(Array(gz) == original.withUnsafeBytes { Codecs.gzip($0) })
        let br = Array(try #require(FileManager.default.contents(atPath: path + ".br")))
        var size = original.count
        var decoded = [UInt8](repeating: 0, count: size)
        let rc = br.withUnsafeBufferPointer { i in decoded.withUnsafeMutableBufferPointer { BrotliDecoderDecompress(i.count, i.baseAddress, &size, $0.baseAddress) } }
        #expect(rc == BROTLI_DECODER_RESULT_SUCCESS && size == original.count && decoded == original)
        if Codecs.zstdAvailable {
            let zst = Array(try #require(FileManager.default.contents(atPath: path + ".zst")))
            #expect(Zstd.decompress(zst, size: original.count) == original)
        } else {
            #expect(!exists(path + ".zst"))
        }
        for suffix in Self.writableSuffixes { #expect(mtime(path + suffix).tv_sec == 1_650_000_000) }
        #expect(FileIO.walk(tree.root).filter { $0.contains(".tmp-") }.isEmpty)
        // Not effective: random bytes leave no variant and no temporary file behind.
        var rng = SystemRandomNumberGenerator()
        let noise = try tree.write("noise.bin", Data((0..<200_000).map { _ in UInt8.random(in: 0...255, using: &rng) }))
        let none = try streaming.compress(file: noise)
        #expect(none.written.isEmpty && Set(none.notEffective) == Set(Self.writable))
        #expect(FileIO.walk(tree.root).filter { $0.contains(".tmp-") || $0.hasPrefix(noise + ".") }.isEmpty)
    }
}
