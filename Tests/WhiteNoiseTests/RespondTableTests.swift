import Foundation
import HTTPTypes
import NIOCore
import Testing
import WhiteNoise
import WhiteNoiseTestSupport

/// `StaticFiles.respond` in process, one test per rule of the request path and per row of
/// the HTTP behaviour table (Docs/architecture.md): no socket, no adapter. The loopback
/// behaviour suite (EndToEndTests) checks the same rules through every server.
@Suite final class RespondTableTests {
    let tree: TempTree
    let css = String(repeating: "body { color: red }\n", count: 40)

    init() throws {
        tree = try TempTree()
        try tree.write("css/app.css", css, mtime: 1_700_000_000)
        try tree.write("css/app.css.gz", String(repeating: "g", count: 300), mtime: 1_700_000_000)
        try tree.write("css/app.css.br", String(repeating: "b", count: 200), mtime: 1_700_000_000)
        try tree.write("js/app.0123456789ab.js", "console.log(1)\n")
        try tree.write("staticfiles.json", #"{"paths": {"js/app.js": "js/app.0123456789ab.js"}, "version": "1.1"}"#)
        try tree.write("docs/index.html", "<p>docs</p>")
        try tree.write("data.json", "{}")
        try tree.write(".well-known/security.txt", "Contact: x")
        try tree.write("orphan.txt.gz", "not a sibling: no original")
    }

    deinit { tree.remove() }

    func files(_ configure: (inout StaticFilesConfiguration) -> Void = { _ in }) throws -> StaticFiles {
        try makeFiles(tree.root, prefix: "/static/") { c in
            c.indexFile = "index.html"
            configure(&c)
        }
    }

    func respond(_ files: StaticFiles, _ target: String, method: HTTPRequest.Method = .get,
                 _ headers: [(String, String)] = []) -> StaticResponse? {
        var fields = RequestFields()
        for (name, value) in headers { fields.add(name: name, value: value) }
        return files.respond(method: method, target: target, fields: fields)
    }

    /// The body's bytes, whatever form it takes.
    func body(_ response: StaticResponse) throws -> [UInt8] {
        func read(_ slice: FileSlice) throws -> [UInt8] {
            var buffer = try slice.file.read(offset: slice.offset, count: Int(slice.length), allocator: ByteBufferAllocator())
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        }
        switch response.body {
        case .empty: return []
        case .bytes(var b): return b.readBytes(length: b.readableBytes) ?? []
        case .file(let slice): return try read(slice)
        case .multipart(let parts):
            return try parts.flatMap { part -> [UInt8] in
                switch part {
                case .bytes(var b): return b.readBytes(length: b.readableBytes) ?? []
                case .file(let slice): return try read(slice)
                }
            }
        }
    }

    // MARK: The request path

    @Test func aMissIsNilSoTheAppGetsTheRequest() throws {
        let f = try files()
        #expect(respond(f, "/static/missing.css") == nil)
        #expect(respond(f, "/other/css/app.css") == nil)
        #expect(respond(f, "/static/css/app.css?v=1")?.status == .ok)  // the query is ignored
        #expect(respond(f, "/static/css/%61pp.css")?.status == .ok)  // the path is percent-decoded
        #expect(respond(f, "/static/CSS/app.css") == nil)  // case-sensitive
    }

    @Test func redirectsKeepTheQuery() throws {
        let f = try files()
        let bare = try #require(respond(f, "/static/docs?x=1"))
        #expect(bare.status == .found && bare.headerFields[.location] == "docs/?x=1")
        let index = try #require(respond(f, "/static/docs/index.html"))
        #expect(index.status == .found && index.headerFields[.location] == "./")
        #expect(try body(#require(respond(f, "/static/docs/"))) == Array("<p>docs</p>".utf8))
    }

    @Test func otherMethodsGet405WithAllow() throws {
        let r = try #require(respond(try files(), "/static/css/app.css", method: .post))
        #expect(r.status == .methodNotAllowed && r.headerFields[.allow] == "GET, HEAD")
    }

    // MARK: The behaviour table

    @Test func headersOn200() throws {
        let r = try #require(respond(try files(), "/static/css/app.css"))
        #expect(r.status == .ok)
        for name: HTTPField.Name in [.contentType, .cacheControl, .accessControlAllowOrigin, .vary, .lastModified, .eTag,
                                     .contentLength, .acceptRanges] {
            #expect(r.headerFields[name] != nil, "\(name)")
        }
        #expect(r.headerFields[.contentEncoding] == nil && r.headerFields[.vary] == "Accept-Encoding")
        #expect(try body(r) == Array(css.utf8) && r.headerFields[.contentLength] == String(css.utf8.count))
        let noVariants = try #require(respond(try files(), "/static/data.json"))
        #expect(noVariants.headerFields[.vary] == nil)  // only files that have variants vary
    }

    @Test func contentTypeAndCharset() throws {
        #expect(respond(try files(), "/static/css/app.css")?.headerFields[.contentType] == "text/css; charset=utf-8")
        #expect(respond(try files(), "/static/data.json")?.headerFields[.contentType] == "application/json")
        let custom = try files { $0.charset = nil; $0.mimeTypes = [".css": "text/x-custom"] }
        #expect(respond(custom, "/static/css/app.css")?.headerFields[.contentType] == "text/x-custom")
    }

    @Test func cacheControlImmutableOnlyForHashedNames() throws {
        let f = try files()
        #expect(respond(f, "/static/css/app.css")?.headerFields[.cacheControl] == "max-age=60, public")
        #expect(respond(f, "/static/js/app.0123456789ab.js")?.headerFields[.cacheControl] == "max-age=315360000, public, immutable")
        let regex = try files { $0.immutableFileTest = .regex(#"\.css$"#) }
        #expect(respond(regex, "/static/css/app.css")?.headerFields[.cacheControl] == "max-age=315360000, public, immutable")
    }

    @Test func eTagsAreStrongContentDigestsOnePerRepresentation() throws {
        let f = try files()
        let identity = try #require(respond(f, "/static/css/app.css")?.headerFields[.eTag])
        let br = try #require(respond(f, "/static/css/app.css", [("Accept-Encoding", "br")])?.headerFields[.eTag])
        #expect(!identity.hasPrefix("W/") && identity != br)
        #expect(respond(try files(), "/static/css/app.css")?.headerFields[.eTag] == identity)  // stable: from the content
    }

    @Test func ifModifiedSinceAndIfNoneMatchGive304WithTheCachingHeaders() throws {
        let f = try files()
        let etag = try #require(respond(f, "/static/css/app.css")?.headerFields[.eTag])
        for headers in [[("If-None-Match", "\"other\", " + etag)], [("If-None-Match", "*")],
                        [("If-Modified-Since", "Wed, 15 Nov 2023 00:00:00 GMT")],
                        [("If-Modified-Since", "Wednesday, 15-Nov-23 00:00:00 GMT")]] {
            let r = try #require(respond(f, "/static/css/app.css", headers))
            #expect(r.status == .notModified, "\(headers)")
            #expect(try body(r).isEmpty && r.headerFields[.eTag] == etag && r.headerFields[.vary] != nil
                && r.headerFields[.cacheControl] != nil && r.headerFields[.lastModified] != nil)
        }
        // If-None-Match, when present, alone decides; an unparseable date is ignored.
        #expect(respond(f, "/static/css/app.css", [("If-None-Match", "\"other\""),
                                                  ("If-Modified-Since", "Wed, 15 Nov 2023 00:00:00 GMT")])?.status == .ok)
        #expect(respond(f, "/static/css/app.css", [("If-Modified-Since", "yesterday")])?.status == .ok)
    }

    @Test func failedIfMatchOrIfUnmodifiedSinceGive412() throws {
        let f = try files()
        #expect(respond(f, "/static/css/app.css", [("If-Match", "\"other\"")])?.status == .preconditionFailed)
        #expect(respond(f, "/static/css/app.css", [("If-Unmodified-Since", "Sun, 06 Nov 1994 08:49:37 GMT")])?.status
            == .preconditionFailed)
        let etag = try #require(respond(f, "/static/css/app.css")?.headerFields[.eTag])
        #expect(respond(f, "/static/css/app.css", [("If-Match", etag)])?.status == .ok)
    }

    @Test(arguments: [
        ("gzip, br", "br"),  // equally preferred: the smaller
        ("gzip;q=1, br;q=0.5", "gzip"),  // the client's preference first
        ("BR;q=0.9, gzip;q=0.1", "br"),
        ("br;q=0, gzip", "gzip"),  // q=0 excludes
        ("identity;q=0, gzip", "gzip"),
        ("compress", nil),  // unknown codings: identity
        ("", nil),
    ] as [(String, String?)])
    func acceptEncodingPreferenceThenSize(_ header: String, _ expected: String?) throws {
        let r = try #require(respond(try files(), "/static/css/app.css", [("Accept-Encoding", header)]))
        #expect(r.headerFields[.contentEncoding] == expected)
        #expect(r.headerFields[.vary] == "Accept-Encoding")
    }

    @Test func rangesPartialMultipartAndUnsatisfiable() throws {
        let f = try files()
        let bytes = Array(css.utf8)
        let single = try #require(respond(f, "/static/css/app.css", [("Range", "BYTES=2-5")]))
        #expect(single.status == .partialContent && single.headerFields[.contentRange] == "bytes 2-5/\(bytes.count)")
        #expect(try body(single) == Array(bytes[2...5]))
        let suffix = try #require(respond(f, "/static/css/app.css", [("Range", "bytes=-3")]))
        #expect(try body(suffix) == Array(bytes.suffix(3)))
        let multi = try #require(respond(f, "/static/css/app.css", [("Range", "bytes=0-1,10-11")]))
        #expect(multi.status == .partialContent && multi.headerFields[.contentType]?.hasPrefix("multipart/byteranges") == true)
        let unsatisfiable = try #require(respond(f, "/static/css/app.css", [("Range", "bytes=99999-")]))
        #expect(unsatisfiable.status == .rangeNotSatisfiable && unsatisfiable.headerFields[.contentRange] == "bytes */\(bytes.count)")
        #expect(respond(f, "/static/css/app.css", [("Range", "bytes=5-2")])?.status == .ok)  // inverted: the whole file
        let etag = try #require(single.headerFields[.eTag])
        #expect(respond(f, "/static/css/app.css", [("Range", "bytes=2-5"), ("If-Range", etag)])?.status == .partialContent)
        #expect(respond(f, "/static/css/app.css", [("Range", "bytes=2-5"), ("If-Range", "\"stale\"")])?.status == .ok)
        let ofBr = try #require(respond(f, "/static/css/app.css", [("Range", "bytes=0-9"), ("Accept-Encoding", "br")]))
        #expect(ofBr.headerFields[.contentRange] == "bytes 0-9/200")  // ranges apply to the chosen representation
    }

    @Test func compressedSiblingsAreNotAddressableButOrphansAre() throws {
        let f = try files()
        #expect(respond(f, "/static/css/app.css.gz") == nil)
        #expect(respond(f, "/static/orphan.txt.gz")?.status == .ok)
    }

    @Test func hiddenFilesAreServed() throws {
        #expect(try body(#require(respond(try files(), "/static/.well-known/security.txt"))) == Array("Contact: x".utf8))
    }

    @Test func aFileChangedAfterStartUpIsServedWholeAtItsNewLength() throws {
        let f = try files()
        _ = respond(f, "/static/data.json")  // prepared
        try tree.write("data.json", "{\"changed\": true}")
        let r = try #require(respond(f, "/static/data.json"))
        let sent = try body(r)
        #expect(r.headerFields[.contentLength] == String(sent.count))
        #expect(sent == Array("{}".utf8) || sent == Array("{\"changed\": true}".utf8))
    }

    @Test func lookupIsByteWise() throws {
        try tree.write("caf\u{E9}.txt", "nfc")  // é precomposed
        try tree.write("cafe\u{301}.txt", "nfd")  // e + combining acute
        let f = try files()
        #expect(try body(#require(respond(f, "/static/caf%C3%A9.txt"))) == Array("nfc".utf8))
        #expect(try body(#require(respond(f, "/static/cafe%CC%81.txt"))) == Array("nfd".utf8))
    }
}
