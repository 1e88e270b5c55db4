import Testing
@testable import WhiteNoise

@Suite struct AcceptEncodingTests {
    @Test func absentOrEmptyMeansIdentityOnly() {
        for a in [AcceptEncoding.absent, AcceptEncoding(parsing: ""), AcceptEncoding(parsing: "  ")] {
            #expect(a.accepts(.identity))
            #expect(!a.accepts(.gzip))
            #expect(!a.accepts(.br))
            #expect(!a.accepts(.zstd))
        }
    }

    @Test func tokensAreCaseInsensitiveAndWhole() {
        let a = AcceptEncoding(parsing: "GZIP, Br")
        #expect(a.accepts(.gzip) && a.accepts(.br) && !a.accepts(.zstd))
        let b = AcceptEncoding(parsing: "gzipx, xbr, zstdfoo")
        #expect(!b.accepts(.gzip) && !b.accepts(.br) && !b.accepts(.zstd))
        #expect(AcceptEncoding(parsing: "x-gzip").accepts(.gzip))
    }

    @Test func qValuesAreHonoured() {
        let a = AcceptEncoding(parsing: "gzip;q=0, br;q=0.5, zstd; q=0.001")
        #expect(!a.accepts(.gzip))
        #expect(a.quality(of: .br) == 500)
        #expect(a.quality(of: .zstd) == 1)
        #expect(a.accepts(.identity))
    }

    @Test func invalidQValueCountsAsZero() {
        for value in ["gzip;q=2", "gzip;q=abc", "gzip;q=0.1234", "gzip;q=", "gzip;q=-1", "gzip;q=1.5"] {
            #expect(!AcceptEncoding(parsing: value).accepts(.gzip), "\(value)")
        }
        #expect(AcceptEncoding(parsing: "gzip;q=1.000").accepts(.gzip))
        #expect(AcceptEncoding(parsing: "gzip;Q=0.9").accepts(.gzip))
        // Optional whitespace around ';' and ',' is allowed; inside a value it is not.
        let spaced = AcceptEncoding(parsing: "gzip ; q=0.5 , br;q=0 ,zstd")
        #expect(spaced.quality(of: .gzip) == 500 && !spaced.accepts(.br) && spaced.accepts(.zstd))
        #expect(!AcceptEncoding(parsing: "gzip;q=0 .5").accepts(.gzip))
        #expect(!AcceptEncoding(parsing: "gz ip").accepts(.gzip))
    }

    @Test func wildcardAndIdentityExclusion() {
        let star = AcceptEncoding(parsing: "*")
        #expect(star.accepts(.gzip) && star.accepts(.br) && star.accepts(.zstd) && star.accepts(.identity))
        let starButGzip = AcceptEncoding(parsing: "*, gzip;q=0")
        #expect(!starButGzip.accepts(.gzip) && starButGzip.accepts(.br))
        #expect(!AcceptEncoding(parsing: "identity;q=0, gzip").accepts(.identity))
        #expect(!AcceptEncoding(parsing: "*;q=0").accepts(.identity))
        #expect(AcceptEncoding(parsing: "*;q=0, identity").accepts(.identity))
        #expect(AcceptEncoding(parsing: "br").accepts(.identity))
        // `*` rates identity too; a header that rates identity neither way leaves it unrated.
        #expect(AcceptEncoding(parsing: "*;q=0.5, br").quality(of: .identity) == 500)
        #expect(AcceptEncoding(parsing: "*;q=0.5").ratesIdentity && AcceptEncoding(parsing: "identity;q=0.2").ratesIdentity)
        #expect(!AcceptEncoding(parsing: "br, gzip").ratesIdentity && AcceptEncoding.absent.ratesIdentity)
    }
}
