import Testing
@testable import WhiteNoise

@Suite struct HTTPDateTests {
    // 784111777 is the RFC's example instant: Sun, 06 Nov 1994 08:49:37 GMT.
    @Test func parsesAllThreeFormats() {
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == 784_111_777)
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == 784_111_777)
        #expect(HTTPDate.parse("  Sun, 06 Nov 1994 08:49:37 GMT ") == 784_111_777)
    }

    @Test func formatsIMFFixdate() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
    }

    @Test func roundTripsAcrossCenturies() {
        for t in stride(from: Int64(-2_000_000_000), through: 4_000_000_000, by: 86_399 * 37) {
            #expect(HTTPDate.parse(HTTPDate.format(t)) == t)
        }
    }

    @Test(arguments: [
        "", "garbage", "Fri, 16 Jul 2021 09:09:1626426577S GMT", "Sun, 06 Nov 1994 08:49:37 PST",
        "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT", "Sun Nov 6 08:49:37 1994",
        "Sun, 06 Nov 1994 08:49:37 GMT extra",
    ])
    func rejectsInvalidDates(_ text: String) {
        #expect(HTTPDate.parse(text) == nil)
    }
}
