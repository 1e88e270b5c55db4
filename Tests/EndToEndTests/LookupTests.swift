import Foundation
import Testing
import WhiteNoise
import WhiteNoiseTestSupport

/// Docs/architecture.md#http-behaviour row: a name is found only by its own bytes. NFC and
/// NFD spellings of "café" are different files (as in WhiteNoise, nginx and the file system),
/// so each is served to its own spelling, and a spelling with no file of its own is a miss.
@Suite(.offCooperativePool) struct LookupTests {
    static let nfc = "caf\u{E9}.txt", nfd = "cafe\u{301}.txt"

    @Test(arguments: ServerKind.allCases)
    func namesMatchByteForByte(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("one/" + Self.nfc, "composed")
        try tree.write("both/" + Self.nfc, "composed")
        try tree.write("both/" + Self.nfd, "decomposed")
        // A file system that normalises names (APFS, HFS+) keeps one file: nothing to test there.
        let listed = try FileManager.default.contentsOfDirectory(atPath: tree.root + "/both")
        try #require(listed.count == 2, "this file system treats canonically equivalent names as one")
        try await withLiveServer(try makeFiles(tree.root), on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            #expect(try c.request("GET", "/static/one/caf%C3%A9.txt").text == "composed")
            let other = try c.request("GET", "/static/one/cafe%CC%81.txt")
            #expect(other.status == 404 || (server.hasApp && other["x-answered-by"] == "app"), "\(other.status)")
            #expect(other.text != "composed")
            #expect(try c.request("GET", "/static/both/caf%C3%A9.txt").text == "composed")
            #expect(try c.request("GET", "/static/both/cafe%CC%81.txt").text == "decomposed")
        }
    }

    /// Non-canonical spellings of a file's URL are not that file: they pass through to the
    /// app (a 404 on the standalone server), as in WhiteNoise. The one exception is Vapor's:
    /// its request decoder builds `Request.url` with `URI(path:)`, which collapses leading
    /// slashes before any middleware runs, so `//static/ok.txt` arrives as `/static/ok.txt`
    /// (Docs/vapor.md).
    @Test(arguments: ServerKind.allCases)
    func nonCanonicalSpellingsPassThrough(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("ok.txt", "fine")
        try tree.write("sub/x.txt", "x")
        try await withLiveServer(try makeFiles(tree.root), on: server) { (port: Int) async throws in
            for target in ["//static/ok.txt", "/static//ok.txt", "/static/./ok.txt", "/static/sub/../ok.txt", "/static/sub/./../ok.txt",
                           "/static/ok.txt/", "/static/ok.txt/.", "///static/ok.txt"] {
                let c = try RawHTTPConnection(port: port)
                try c.send("GET \(target) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                let text = String(decoding: c.readToEnd(), as: UTF8.self)
                let collapsedByVapor = server == .vapor && target.hasPrefix("//")
                if collapsedByVapor {
                    #expect(text.hasPrefix("HTTP/1.1 200") && text.hasSuffix("fine"), "\(target)")
                } else if server.hasApp {
                    #expect(text.lowercased().contains("x-answered-by: app"), "\(target): \(text.prefix(60))")
                } else {
                    #expect(text.hasPrefix("HTTP/1.1 404"), "\(target): \(text.prefix(60))")
                }
            }
            #expect(try RawHTTPConnection(port: port).request("GET", "/static/ok.txt").text == "fine")
        }
    }
}
