/// Entity-tag lists as they appear in `If-None-Match` and `If-Match` (RFC 9110 §8.8.3,
/// §13.1), matched in place: no list is built.
package enum EntityTagList {
    /// Whether the header value `list` matches `etag`, without allocating: `*` matches;
    /// weak comparison ignores `W/`, strong comparison needs a strong tag.
    package static func matches(_ list: String, etag: String, weak: Bool) -> Bool {
        var list = list
        var etag = etag
        return list.withUTF8 { l in
            etag.withUTF8 { e in
                var found = false
                let isAny = scan(l) { isWeak, range in
                    if (weak || !isWeak), range.count == e.count, UnsafeBufferPointer(rebasing: l[range]).elementsEqual(e) { found = true }
                    return found
                }
                return isAny || found
            }
        }
    }

    /// Walks the members of a list, calling `member(weak, rangeOfQuotedOpaqueValue)` for each
    /// until it returns `true`. Returns `true` when the whole value is `*`.
    @discardableResult
    static func scan(_ u: UnsafeBufferPointer<UInt8>, _ member: (Bool, Range<Int>) -> Bool) -> Bool {
        var i = 0
        let n = u.count
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
        func skipSeparators() { while i < n, isSpace(u[i]) || u[i] == UInt8(ascii: ",") { i += 1 } }
        skipSeparators()
        if i < n, u[i] == UInt8(ascii: "*") {
            var j = i + 1
            while j < n, isSpace(u[j]) { j += 1 }
            if j == n { return true }
        }
        while i < n {
            var weak = false
            if u[i] == UInt8(ascii: "W"), i + 1 < n, u[i + 1] == UInt8(ascii: "/") {
                weak = true
                i += 2
            }
            if i < n, u[i] == UInt8(ascii: "\"") {
                let start = i
                i += 1
                while i < n, u[i] != UInt8(ascii: "\"") { i += 1 }
                if i < n {
                    i += 1
                    if member(weak, start..<i) { return false }
                }
            } else {
                // Not a quoted tag: skip this member.
                while i < n, u[i] != UInt8(ascii: ",") { i += 1 }
            }
            skipSeparators()
        }
        return false
    }
}
