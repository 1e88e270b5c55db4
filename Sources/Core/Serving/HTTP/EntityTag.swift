/// Entity-tag lists as they appear in `If-None-Match` and `If-Match` (RFC 9110 §8.8.3, §13.1).
public enum EntityTagList: Equatable, Sendable {
    /// `*`: matches any current representation.
    case any
    /// A list of tags, each with its weakness flag and its opaque value (quotes included).
    case tags([EntityTag])

    /// Parses a header value. Malformed members are skipped; a value with no valid member
    /// yields an empty list (which matches nothing).
    public init(parsing value: String) {
        var tags: [EntityTag] = []
        let isAny = Self.scan(value) { weak, opaque in
            tags.append(EntityTag(weak: weak, opaque: String(decoding: opaque, as: UTF8.self)))
            return false
        }
        self = isAny ? .any : .tags(tags)
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
        var found = false
        let isAny = scan(list) { isWeak, opaque in
            if (weak || !isWeak) && opaque.elementsEqual(etag.utf8) { found = true }
            return found
        }
        return isAny || found
    }

    /// Walks the members of a list, calling `member(weak, opaqueBytesWithQuotes)` for each
    /// until it returns `true`. Returns `true` when the whole value is `*`.
    @discardableResult
    static func scan(_ value: String, _ member: (Bool, Substring.UTF8View) -> Bool) -> Bool {
        let u = value.utf8
        var i = u.startIndex
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
        func skipSeparators() { while i < u.endIndex, isSpace(u[i]) || u[i] == UInt8(ascii: ",") { i = u.index(after: i) } }
        skipSeparators()
        if i < u.endIndex, u[i] == UInt8(ascii: "*") {
            var j = u.index(after: i)
            while j < u.endIndex, isSpace(u[j]) { j = u.index(after: j) }
            if j == u.endIndex { return true }
        }
        while i < u.endIndex {
            var weak = false
            if u[i] == UInt8(ascii: "W"), u.index(after: i) < u.endIndex, u[u.index(after: i)] == UInt8(ascii: "/") {
                weak = true
                i = u.index(i, offsetBy: 2)
            }
            if i < u.endIndex, u[i] == UInt8(ascii: "\"") {
                let start = i
                i = u.index(after: i)
                while i < u.endIndex, u[i] != UInt8(ascii: "\"") { i = u.index(after: i) }
                if i < u.endIndex {
                    i = u.index(after: i)
                    if member(weak, value[start..<i].utf8) { return false }
                }
            } else {
                // Not a quoted tag: skip this member.
                while i < u.endIndex, u[i] != UInt8(ascii: ",") { i = u.index(after: i) }
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
