import Testing
@testable import WhiteNoiseStorage
import WhiteNoise

@Suite(.offCooperativePool) struct MD5Tests {
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func rfc1321Vectors(_ input: String, _ expected: String) {
        #expect(MD5.hex(Array(input.utf8)) == expected)
    }

    @Test func longInputsAcrossBlockBoundaries() throws {
        for size in [55, 56, 63, 64, 65, 127, 128, 1000, 100_000] {
            let data = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let python = try TempTreeShim.md5(data)
            #expect(MD5.hex(data) == python, "\(size)")
        }
    }
}
