import Testing
@testable import WhiteNoise

@Suite struct ContentDigestTests {
    // Reference values from the xxHash reference implementation (XXH64, seed 0).
    @Test(arguments: [
        ("", "ef46db3751d8e999"),
        ("a", "d24ec4f1a98c6e5b"),
        ("abc", "44bc2cf5ad770999"),
        ("Nobody inspects the spammish repetition", "fbcea83c8a378bf1"),
    ])
    func knownVectors(_ input: String, _ expected: String) {
        let bytes = Array(input.utf8)
        let value = bytes.withUnsafeBytes { ContentDigest.hash($0) }
        #expect(ContentDigest.hex(value) == expected)
    }

    @Test func streamingEqualsOneShot() {
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = data.withUnsafeBytes { ContentDigest.hash($0) }
        #expect(ContentDigest.hex(whole) == "b391f8297b8f1500")  // python xxhash.xxh64(data)
        for chunk in [1, 3, 7, 31, 32, 33, 100, 4096] {
            var d = ContentDigest()
            var i = 0
            while i < data.count {
                let end = min(i + chunk, data.count)
                data[i..<end].withUnsafeBytes { d.update($0) }
                i = end
            }
            #expect(d.finalize() == whole, "chunk \(chunk)")
        }
    }
}
