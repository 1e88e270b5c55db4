import Testing
@testable import WhiteNoise

@Suite struct RangeTests {
    func parse(_ s: String, _ n: Int64 = 11) -> RangeRequest { RangeRequest(parsing: s, length: n) }

    @Test func singleRanges() {
        #expect(parse("bytes=0-4") == .ranges([0...4]))
        #expect(parse("bytes=-3") == .ranges([8...10]))
        #expect(parse("bytes=3-") == .ranges([3...10]))
        #expect(parse("bytes=0-100") == .ranges([0...10]))
        #expect(parse("bytes=-100") == .ranges([0...10]))
        #expect(parse("bytes=0-0") == .ranges([0...0]))
        #expect(parse("bytes=5-5") == .ranges([5...5]))
        #expect(parse("bytes=10-") == .ranges([10...10]))
        #expect(parse("bytes=-1") == .ranges([10...10]))
        #expect(parse("Bytes=0-1") == .ranges([0...1]))
        #expect(parse(" bytes = 1-2 ") == .ranges([1...2]))
    }

    @Test func unsatisfiable() {
        #expect(parse("bytes=-0") == .unsatisfiable)
        #expect(parse("bytes=11-") == .unsatisfiable)
        #expect(parse("bytes=10000-11000") == .unsatisfiable)
        #expect(parse("bytes=0-", 0) == .unsatisfiable)
        #expect(parse("bytes=-5", 0) == .unsatisfiable)
        #expect(parse("bytes=20-30, 40-50") == .unsatisfiable)
    }

    @Test func ignoredMeansFullResponse() {
        for s in ["bytes=4-2", "items=0-1", "bytes=abc", "bytes=", "bytes", "bytes=1", "bytes=+1-2", "bytes=1-2-3",
                  "bytes=99999999999999999999-", "bytes=0-1,1-2", "bytes=0-5,3-4", "bytes=--1"] {
            #expect(parse(s) == .full, "\(s)")
        }
    }

    @Test func multipleRanges() {
        #expect(parse("bytes=0-1, 3-4") == .ranges([0...1, 3...4]))
        #expect(parse("bytes=3-4,0-1") == .ranges([3...4, 0...1]))
        #expect(parse("bytes=0-1,20-30") == .ranges([0...1]))  // unsatisfiable members are dropped
        let many = "bytes=" + (0..<17).map { "\($0 * 2)-\($0 * 2)" }.joined(separator: ",")
        #expect(parse(many, 100) == .full)
        let sixteen = "bytes=" + (0..<16).map { "\($0 * 2)-\($0 * 2)" }.joined(separator: ",")
        if case .ranges(let r) = parse(sixteen, 100) { #expect(r.count == 16) } else { Issue.record("expected ranges") }
    }
}
