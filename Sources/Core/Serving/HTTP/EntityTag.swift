/// Entity-tag lists as they appear in `If-None-Match` and `If-Match` (RFC 9110 §8.8.3, §13.1).
public enum EntityTagList: Equatable, Sendable {
    /// `*`: matches any current representation.
    case any
    /// A list of tags, each with its weakness flag and its opaque value (quotes included).
    case tags([EntityTag])

    /// Parses a header value. Malformed members are skipped; a value with no valid member
    /// yields an empty list (which matches nothing).
    public init(parsing value: String) {
        var text = value
        self = text.withUTF8 { bytes in
            var tags: [EntityTag] = []
            let isAny = Self.scan(bytes) { weak, range in
                tags.append(EntityTag(weak: weak, opaque: String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)))
                return false
            }
            return isAny ? .any : .tags(tags)
        }
    }

    /// Weak comparison (used by `If-None-Match`): opaque values equal, weakness ignored.
    public func weaklyMatches(_ etag: String) -> Bool {
        switch self {
        case .any: return true
        case .tags(let tags): return tags.contains { $0.opaque == etag }
        }
    }

    /// Strong comparison (used by `If-Match`): both strong and opaque values equal.
    public func stronglyMatches(_ etag: String) -> Bool {
        switch self {
        case .any: return true
        case .tags(let tags): return tags.contains { !$0.weak && $0.opaque == etag }
        }
    }

    /// Whether the header value `list` matches `etag`, without allocating: `*` matches;
    /// weak comparison ignores `W/`, strong comparison needs a strong tag.
    public static func matches(_ list: String, etag: String, weak: Bool) -> Bool {
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

/// One entity tag: weak or strong, and its opaque quoted value such as `"abc"`.
public struct EntityTag: Equatable, Sendable {
    /// `true` for a `W/` tag.
    public var weak: Bool
    /// The quoted opaque value, quotes included.
    public var opaque: String
}
