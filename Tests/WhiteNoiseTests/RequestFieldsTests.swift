import Testing
import WhiteNoise

@Suite struct RequestFieldsTests {
    @Test func namesInAnyCaseAndRepeatedListFieldsCombine() {
        var f = RequestFields()
        let added = [("Accept-Encoding", "gzip"), ("ACCEPT-ENCODING", "br"), ("If-None-Match", "\"a\""),
                     ("if-modified-since", "first"), ("If-Modified-Since", "second"),
                     ("X-Accept-Encoding", "zstd"), ("Rang", "bytes=0-1")].map { f.add(name: $0.0, value: $0.1) }
        #expect(added == [true, true, true, true, true, false, false])
        #expect(f.acceptEncoding == "gzip, br")
        #expect(f.ifNoneMatch == "\"a\"")
        #expect(f.ifModifiedSince == "first")  // single-valued: the first wins
        #expect(f.range == nil)
    }

    @Test func namesAddedDirectlyFollowTheSameRules() {
        var f = RequestFields()
        f.add(.range, value: "bytes=0-1")
        f.add(.range, value: "bytes=5-6")
        f.add(.ifRange, value: "\"a\"")
        f.add(.ifRange, value: "\"b\"")
        #expect(f.range == "bytes=0-1, bytes=5-6")
        #expect(f.ifRange == "\"a\"")
        #expect(RequestFields.Name.allCases.map(\.lowercased) == ["accept-encoding", "if-none-match", "if-modified-since", "range",
                                                                "if-match", "if-unmodified-since", "if-range"])
        let known = f.add(name: "If-MATCH", value: "*")  // any case
        let other = f.add(name: "x-if-match", value: "x")
        #expect(known && !other && f.ifMatch == "*")
    }
}
