import CBrotli
import Foundation
import Testing
@testable import WhiteNoiseStorage
import WhiteNoiseTestSupport
import WhiteNoiseStorageTestSupport

@Suite(.offCooperativePool) struct CodecTests {
    static let samples: [[UInt8]] = [
        [], Array("a".utf8), Array(String(repeating: "body { color: red; }\n", count: 500).utf8),
        (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) },
    ]

    @Test func gzipRoundTripsAndIsDeterministic() throws {
        for sample in Self.samples {
            let gz = sample.withUnsafeBytes { Codecs.gzip($0) }
            #expect(Array(gz.prefix(10)) == [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0xff])
            #expect(gz == sample.withUnsafeBytes { Codecs.gzip($0) })
            let decoded = try TempTree.pipe(["gzip", "-d", "-c"], Data(gz))
            #expect(Array(decoded) == sample)
        }
    }

    /// Python's `gzip.GzipFile(filename="", mode="wb", compresslevel=9, mtime=0)`, as WhiteNoise
    /// writes `.gz` files: with the same zlib, the bytes must be identical.
    @Test func gzipMatchesWhiteNoiseByteForByte() throws {
        let script = """
        import gzip, io, sys
        data = sys.stdin.buffer.read()
        out = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as f:
            f.write(data)
        sys.stdout.buffer.write(out.getvalue())
        """
        for sample in Self.samples {
            let python = try TempTree.pipe(["python3", "-c", script], Data(sample))
            #expect(Array(python) == sample.withUnsafeBytes { Codecs.gzip($0) })
        }
    }

    @Test func brotliRoundTrips() throws {
        for sample in Self.samples {
            let br = try #require(sample.withUnsafeBytes { Codecs.brotli($0) })
            var decodedSize = max(sample.count, 1)
            var decoded = [UInt8](repeating: 0, count: decodedSize)
            let rc = br.withUnsafeBufferPointer { input in
                decoded.withUnsafeMutableBufferPointer { BrotliDecoderDecompress(input.count, input.baseAddress, &decodedSize, $0.baseAddress) }
            }
            #expect(rc == BROTLI_DECODER_RESULT_SUCCESS)
            #expect(Array(decoded.prefix(decodedSize)) == sample)
        }
    }

    @Test(StorageFixtures.needsZstd)
    func zstdRoundTripsWhenInstalled() throws {
        #expect(Codecs.zstdAvailable, "libzstd is not installed (apt-get install libzstd1)")
        for sample in Self.samples {
            let z = try #require(sample.withUnsafeBytes { Codecs.zstd($0) })
            #expect(Zstd.decompress(z, size: sample.count) == sample)
        }
    }
}
