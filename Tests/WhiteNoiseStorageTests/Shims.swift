import Foundation
import WhiteNoise
@testable import WhiteNoiseStorage
import WhiteNoiseTestSupport

/// Reference values computed by Python's hashlib on the same bytes.
enum TempTreeShim {}

extension TempTreeShim {
    /// `"sha384-" + base64(hashlib.sha384(bytes).digest())` for each file, in one Python run.
    static func integrity(ofFiles paths: [String]) throws -> [String] {
        let script = "import base64,hashlib,sys\nfor p in sys.stdin.read().split('\\0'):\n"
            + "    print('sha384-' + base64.b64encode(hashlib.sha384(open(p, 'rb').read()).digest()).decode())"
        let out = try TempTree.pipe(["python3", "-c", script], Data(paths.joined(separator: "\0").utf8))
        return String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

extension TempTreeShim {
    /// Every file of a STATIC_ROOT by relative path, but the digest index (which records
    /// mtimes, so it differs between runs that wrote the same bytes).
    static func servedContents(_ root: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for path in FileIO.walk(root) where !path.hasSuffix("/" + DigestIndex.fileName) {
            out[String(path.dropFirst(root.count + 1))] = try Data(contentsOf: URL(fileURLWithPath: path))
        }
        return out
    }
}

extension Zstd {
    private typealias Decompress = @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeRawPointer?, Int) -> Int
    private typealias IsError = @convention(c) (Int) -> UInt32

    /// `ZSTD_decompress` from the library collectstatic uses, for checking its output
    /// (the package itself never decompresses).
    static func decompress(_ input: [UInt8], size: Int) -> [UInt8]? {
        for name in libraryNames {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL),
                let decompress = dlsym(handle, "ZSTD_decompress").map({ unsafeBitCast($0, to: Decompress.self) }),
                let isError = dlsym(handle, "ZSTD_isError").map({ unsafeBitCast($0, to: IsError.self) })
            else { continue }
            var out = [UInt8](repeating: 0, count: max(size, 1))
            let n = out.withUnsafeMutableBytes { o in input.withUnsafeBytes { i in decompress(o.baseAddress, size, i.baseAddress, i.count) } }
            guard isError(n) == 0 else { return nil }
            out.removeSubrange(n...)
            return out
        }
        return nil
    }
}
