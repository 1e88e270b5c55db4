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
}
