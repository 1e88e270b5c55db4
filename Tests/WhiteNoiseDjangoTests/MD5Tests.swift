import Foundation
import Testing
import WhiteNoiseDjango
import WhiteNoiseTestSupport

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
            let python = try pythonMD5(data)
            #expect(MD5.hex(data) == python, "\(size)")
        }
    }
}

extension MD5Tests {
    /// Python's hashlib on the same bytes.
    func pythonMD5(_ bytes: [UInt8]) throws -> String {
        let out = try TempTree.pipe(["python3", "-c", "import hashlib,sys; print(hashlib.md5(sys.stdin.buffer.read()).hexdigest())"], Data(bytes))
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aFilesDigestIsItsBytesDigestAndAFolderIsAnError() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }  // more than one 1 MiB chunk
        let path = try tree.write("big.bin", Data(bytes))
        #expect(try MD5.hex(file: path) == MD5.hex(bytes))
        try tree.mkdir("folder")
        #expect(throws: MD5.FileError.self) { try MD5.hex(file: tree.root + "/folder") }
        #expect(throws: MD5.FileError.self) { try MD5.hex(file: tree.root + "/missing") }
    }
}

@Suite struct DjangoManifestTests {
    @Test func readsVersions10And11AndRefusesOtherFormats() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        #expect(try DjangoManifest.read(root: tree.root) == nil)  // none: nil, not an error
        for version in ["1.0", "1.1"] {
            try tree.write("staticfiles.json", #"{"paths": {"a.css": "a.0123456789ab.css", "f.eot": "f.0123456789ab.eot?#iefix"}, "version": "\#(version)"}"#)
            let manifest = try #require(try DjangoManifest.read(root: tree.root))
            #expect(manifest.paths["a.css"] == "a.0123456789ab.css")
            #expect(manifest.hashedFiles == ["a.0123456789ab.css", "f.0123456789ab.eot"])
        }
        for bad in [#"{"paths": {}, "version": "2.0"}"#, #"{"paths": {"a": 1}, "version": "1.1"}"#, "not json", "[]"] {
            try tree.write("staticfiles.json", bad)
            #expect(throws: DjangoManifest.UnreadableError(path: tree.root + "/staticfiles.json")) { try DjangoManifest.read(root: tree.root) }
            #expect(DjangoManifest.hashedFiles(root: tree.root).isEmpty)
        }
    }

    @Test(arguments: [
        ("css/app.css", "css/app.0123456789ab.css"),
        ("app", "app.0123456789ab"),
        ("a.b/c.tar.gz", "a.b/c.tar.0123456789ab.gz"),
        ("fonts/f.eot?#iefix", "fonts/f.0123456789ab.eot?#iefix"),
        ("img/a%20b.png?v=1#x", "img/a b.0123456789ab.png?v=1#x"),
    ])
    func hashedNamesAreDjangos(_ name: String, _ expected: String) {
        #expect(DjangoManifest.hashedName(name, md5: "0123456789abcdef0123456789abcdef") == expected)
    }
}
