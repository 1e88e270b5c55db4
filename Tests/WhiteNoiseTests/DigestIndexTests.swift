import Foundation
import Testing
@testable import WhiteNoise
import WhiteNoiseTestSupport

@Suite(.offCooperativePool) struct DigestIndexTests {
    @Test func textFormRoundTrips() throws {
        let index = DigestIndex(files: [
            "css/app.css": .init(size: 10, mtime: 1_700_000_000, mtimeNanoseconds: 5, digest: 0xdead_beef),
            "a b/with space.js": .init(size: 0, mtime: 0, mtimeNanoseconds: 999_999_999, digest: .max,
                                       integrity: "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb"),
        ])
        #expect(DigestIndex(parsing: index.text) == index)
        #expect(index.text.hasPrefix("whitenoise-digests 2\n"))
        #expect(index.text.contains("00000000deadbeef 10 1700000000.000000005 - css/app.css\n"))
        #expect(index.text.contains(" sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb a b/with space.js\n"))
        // Version 1 (no integrity column), as earlier releases wrote it, is still read.
        let old = DigestIndex(parsing: "whitenoise-digests 1\n00000000deadbeef 10 1700000000.000000005 css/app.css\n")
        #expect(old?.files["css/app.css"] == .init(size: 10, mtime: 1_700_000_000, mtimeNanoseconds: 5, digest: 0xdead_beef))
        #expect(DigestIndex(parsing: "whitenoise-digests 2\n00000000deadbeef 10 1700000000.000000005 missing-path\n")?.files.isEmpty == true)
        #expect(DigestIndex(parsing: "something else\n") == nil)
        #expect(DigestIndex(parsing: "whitenoise-digests 1\nnot a line\nzz 1 2.3 x\n")?.files.isEmpty == true)
    }

    @Test func indexedDigestsAreUsedOnlyWhileSizeAndMtimeMatch() async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("a.txt", "real content", mtime: 1_600_000_000)
        try tree.write("b.txt", "other", mtime: 1_600_000_000)
        var index = DigestIndex.build(root: tree.root)
        #expect(index.files.count == 2)
        let real = index.files["a.txt"]!.digest
        #expect(real == Array("real content".utf8).withUnsafeBytes { ContentDigest.hash($0) })
        index.files["a.txt"]!.digest = 0x1234  // a recorded digest the engine must trust
        index.files["b.txt"]!.mtime += 1  // stale: the engine must hash instead
        try tree.write(DigestIndex.fileName, index.text)
        try await withLiveServer(try makeFiles(tree.root)) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            #expect(try c.request("GET", "/static/a.txt")["etag"] == "\"0000000000001234\"")
            let b = try c.request("GET", "/static/b.txt")
            #expect(b["etag"] == "\"" + ContentDigest.hex(Array("other".utf8).withUnsafeBytes { ContentDigest.hash($0) }) + "\"")
            #expect(try c.request("GET", "/static/" + DigestIndex.fileName).status == 404)
        }
    }
}
