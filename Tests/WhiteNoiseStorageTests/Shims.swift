import Foundation
import WhiteNoiseTestSupport

/// Reference values computed by Python's hashlib on the same bytes.
enum TempTreeShim {
    static func md5(_ bytes: [UInt8]) throws -> String {
        let out = try TempTree.pipe(["python3", "-c", "import hashlib,sys; print(hashlib.md5(sys.stdin.buffer.read()).hexdigest())"], Data(bytes))
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
