import Testing
@testable import WhiteNoise

@Suite struct EntityTagTests {
    @Test func parsesListsWeakTagsAndStar() {
        #expect(EntityTagList(parsing: "*") == .any)
        #expect(EntityTagList(parsing: " * ") == .any)
        let list = EntityTagList(parsing: #""a", W/"b" ,"c,d""#)
        #expect(list == .tags([.init(weak: false, opaque: #""a""#), .init(weak: true, opaque: #""b""#), .init(weak: false, opaque: #""c,d""#)]))
    }

    @Test func weakComparisonIgnoresWeakness() {
        let list = EntityTagList(parsing: #"W/"x", "y""#)
        #expect(list.weaklyMatches(#""x""#))
        #expect(list.weaklyMatches(#""y""#))
        #expect(!list.weaklyMatches(#""z""#))
    }

    @Test func strongComparisonNeedsStrongTags() {
        let list = EntityTagList(parsing: #"W/"x", "y""#)
        #expect(!list.stronglyMatches(#""x""#))
        #expect(list.stronglyMatches(#""y""#))
        #expect(EntityTagList(parsing: "*").stronglyMatches(#""anything""#))
    }

    @Test func allocationFreeMatcherAgreesWithTheList() {
        let values = ["*", #""a", W/"b""#, #"W/"x""#, "", "garbage", #""unterminated"#, #" "a" , "c,d""#, #"bare, "b""#]
        for v in values {
            for tag in [#""a""#, #""b""#, #""x""#, #""c,d""#, #""z""#] {
                #expect(EntityTagList.matches(v, etag: tag, weak: true) == EntityTagList(parsing: v).weaklyMatches(tag), "\(v) \(tag)")
                #expect(EntityTagList.matches(v, etag: tag, weak: false) == EntityTagList(parsing: v).stronglyMatches(tag), "\(v) \(tag)")
            }
        }
    }

    @Test func malformedMembersMatchNothing() {
        #expect(!EntityTagList(parsing: "\"unterminated").weaklyMatches("\"unterminated\""))
        #expect(!EntityTagList(parsing: "").weaklyMatches("\"\""))
        #expect(!EntityTagList(parsing: ",,,").weaklyMatches("\"a\""))
        #expect(!EntityTagList(parsing: "a").weaklyMatches("\"a\""))  // unquoted members are not tags
    }
}
