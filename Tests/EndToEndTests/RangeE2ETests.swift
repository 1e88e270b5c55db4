import Foundation
import Testing
import WhiteNoise
import WhiteNoiseTestSupport

/// Docs/architecture.md#http-behaviour row: Range, for files in memory and files sent with sendfile.
@Suite(.offCooperativePool) struct RangeE2ETests {
    static let content = "0123456789A"  // 11 bytes, as in WhiteNoise's table

    /// `inMemory: false` forces the sendfile path by setting the in-memory limit to 0.
    func withFile(on server: ServerKind, inMemory: Bool, _ body: (RawHTTPConnection, String) async throws -> Void) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("f.txt", Self.content, mtime: 1_700_000_000)
        let files = try makeFiles(tree.root) { c in if !inMemory { c.maximumInMemoryFileSize = 0 } }
        try await withLiveServer(files, on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            let etag = try #require(try c.request("GET", "/static/f.txt")["etag"])
            try await body(c, etag)
        }
    }

    @Test(arguments: ServerKind.allCases, [true, false])
    func singleRanges(server: ServerKind, inMemory: Bool) async throws {
        try await withFile(on: server, inMemory: inMemory) { c, _ in
            let cases: [(String, String, String)] = [
                ("bytes=0-4", "01234", "bytes 0-4/11"), ("bytes=-3", "89A", "bytes 8-10/11"),
                ("bytes=3-", "3456789A", "bytes 3-10/11"), ("bytes=0-100", "0123456789A", "bytes 0-10/11"),
                ("bytes=0-0", "0", "bytes 0-0/11"), ("bytes=-1", "A", "bytes 10-10/11"), ("bytes=10-", "A", "bytes 10-10/11"),
                ("BYTES=5-5", "5", "bytes 5-5/11"),
            ]
            for (range, body, contentRange) in cases {
                let r = try c.request("GET", "/static/f.txt", [("Range", range)])
                #expect(r.status == 206, "\(range)")
                #expect(r.text == body, "\(range)")
                #expect(r["content-range"] == contentRange, "\(range)")
                #expect(r["content-length"] == String(body.utf8.count))
                #expect(r["content-type"] == "text/plain; charset=utf-8" && r["accept-ranges"] == "bytes")
            }
            let head = try c.request("HEAD", "/static/f.txt", [("Range", "bytes=0-4")])
            #expect(head.status == 206 && head["content-length"] == "5")
        }
    }

    @Test(arguments: ServerKind.allCases, [true, false])
    func unsatisfiableGives416WithBaseHeaders(server: ServerKind, inMemory: Bool) async throws {
        try await withFile(on: server, inMemory: inMemory) { c, etag in
            for range in ["bytes=-0", "bytes=11-", "bytes=10000-11000"] {
                let r = try c.request("GET", "/static/f.txt", [("Range", range)])
                #expect(r.status == 416, "\(range)")
                #expect(r["content-range"] == "bytes */11")
                #expect(r.body.isEmpty)
                #expect(r["cache-control"] == "max-age=60, public" && r["access-control-allow-origin"] == "*" && r["etag"] == etag)
            }
        }
    }

    @Test(arguments: ServerKind.allCases, [true, false])
    func ignoredRangesGiveTheFullFile(server: ServerKind, inMemory: Bool) async throws {
        try await withFile(on: server, inMemory: inMemory) { c, _ in
            for range in ["bytes=4-2", "items=0-1", "bytes=abc", "bytes=0-5,3-8", "bytes=" + (0..<17).map { "\($0)-\($0)" }.joined(separator: ",")] {
                let r = try c.request("GET", "/static/f.txt", [("Range", range)])
                #expect(r.status == 200, "\(range)")
                #expect(r.text == Self.content)
            }
        }
    }

    @Test(arguments: ServerKind.allCases, [true, false])
    func multipleRangesGiveMultipartByteranges(server: ServerKind, inMemory: Bool) async throws {
        try await withFile(on: server, inMemory: inMemory) { c, _ in
            let r = try c.request("GET", "/static/f.txt", [("Range", "bytes=0-1, 8-")])
            #expect(r.status == 206)
            let type = try #require(r["content-type"])
            #expect(type.hasPrefix("multipart/byteranges; boundary="))
            let boundary = String(type.dropFirst("multipart/byteranges; boundary=".count))
            let expected = "--\(boundary)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 0-1/11\r\n\r\n01"
                + "\r\n--\(boundary)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 8-10/11\r\n\r\n89A"
                + "\r\n--\(boundary)--\r\n"
            #expect(r.text == expected)
            #expect(r["content-length"] == String(expected.utf8.count))
            #expect(r["content-range"] == nil)
            let head = try c.request("HEAD", "/static/f.txt", [("Range", "bytes=0-1, 8-")])
            #expect(head["content-length"] == String(expected.utf8.count))
        }
    }

    @Test(arguments: ServerKind.allCases, [true, false])
    func ifRangeWithETagOrDate(server: ServerKind, inMemory: Bool) async throws {
        try await withFile(on: server, inMemory: inMemory) { c, etag in
            let lastModified = "Tue, 14 Nov 2023 22:13:20 GMT"
            #expect(try c.request("GET", "/static/f.txt", [("Range", "bytes=0-1"), ("If-Range", etag)]).status == 206)
            #expect(try c.request("GET", "/static/f.txt", [("Range", "bytes=0-1"), ("If-Range", lastModified)]).status == 206)
            for stale in ["\"other\"", "W/\(etag)", "Tue, 14 Nov 2023 22:13:19 GMT", "garbage"] {
                let r = try c.request("GET", "/static/f.txt", [("Range", "bytes=0-1"), ("If-Range", stale)])
                #expect(r.status == 200 && r.text == Self.content, "\(stale)")
            }
        }
    }

    @Test(arguments: ServerKind.allCases)
    func rangesApplyToTheNegotiatedRepresentation(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("a.css", String(repeating: "x", count: 100))
        try tree.write("a.css.gz", "GZIPBYTES-0123456789")
        try await withLiveServer(try makeFiles(tree.root), on: server) { (port: Int) async throws in
            let r = try RawHTTPConnection(port: port).request("GET", "/static/a.css", [("Accept-Encoding", "gzip"), ("Range", "bytes=0-3")])
            #expect(r.status == 206 && r.text == "GZIP" && r["content-encoding"] == "gzip")
            #expect(r["content-range"] == "bytes 0-3/20")
        }
    }

    @Test(arguments: ServerKind.allCases)
    func emptyFileRangeIs416(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("empty.txt", "")
        try await withLiveServer(try makeFiles(tree.root), on: server) { (port: Int) async throws in
            let r = try RawHTTPConnection(port: port).request("GET", "/static/empty.txt", [("Range", "bytes=0-")])
            #expect(r.status == 416 && r["content-range"] == "bytes */0")
        }
    }
}
