import Testing
@testable import WhiteNoise

@Suite struct EntityTagTests {
    /// (header value, tag, weak comparison matches, strong comparison matches)
    @Test(arguments: [
        ("*", #""anything""#, true, true),
        (" * ", #""a""#, true, true),
        (#""a", W/"b" ,"c,d""#, #""a""#, true, true),
        (#""a", W/"b" ,"c,d""#, #""b""#, true, false),  // weak comparison ignores W/; strong needs a strong tag
        (#""a", W/"b" ,"c,d""#, #""c,d""#, true, true),  // a comma inside quotes belongs to the tag
        (#""a", W/"b" ,"c,d""#, #""z""#, false, false),
        (#"W/"x", "y""#, #""x""#, true, false),
        (#"W/"x", "y""#, #""y""#, true, true),
        (#"bare, "b""#, #""b""#, true, true),  // an unquoted member is skipped, the rest still counts
        (#""unterminated"#, #""unterminated""#, false, false),
        ("", #""""#, false, false),
        (",,,", #""a""#, false, false),
        ("a", #""a""#, false, false),  // unquoted members are not tags
        (#"*, "a""#, #""z""#, false, false),  // `*` counts only alone
    ])
    func listsMatchAsRFC9110Says(_ list: String, _ tag: String, _ weak: Bool, _ strong: Bool) {
        #expect(EntityTagList.matches(list, etag: tag, weak: true) == weak)
        #expect(EntityTagList.matches(list, etag: tag, weak: false) == strong)
    }
}
