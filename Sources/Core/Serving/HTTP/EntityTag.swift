/// Entity-tag lists as they appear in `If-None-Match` and `If-Match` (RFC 9110 §8.8.3, §13.1).
public enum EntityTagList: Equatable, Sendable {
    /// `*`: matches any current representation.
    case any
    /// A list of tags, each with its weakness flag and its opaque value (quotes included).
    case tags([EntityTag])

    /// Parses a header value. Malformed members are skipped; a value with no valid member
    /// yields an empty list (which matches nothing).
    public init(parsing value: some StringProtocol) {
        let bytes = Array(value.utf8)
        var tags: [EntityTag] = []
        var i = 0
        func skipSeparators() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == UInt8(ascii: ",") { i += 1 }
        }
        skipSeparators()
        if i < bytes.count, bytes[i] == UInt8(ascii: "*") {
            var j = i + 1
            while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x09 { j += 1 }
            if j == bytes.count { self = .any; return }
        }
        while i < bytes.count {
            var weak = false
            if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "W"), bytes[i + 1] == UInt8(ascii: "/") {
                weak = true
                i += 2
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                let start = i
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") { i += 1 }
                if i < bytes.count {
                    i += 1
                    tags.append(EntityTag(weak: weak, opaque: String(decoding: bytes[start..<i], as: UTF8.self)))
                }
            } else {
                // Tolerate an unquoted token (seen in the wild) by treating it as its quoted form.
                let start = i
                while i < bytes.count, bytes[i] != UInt8(ascii: ","), bytes[i] != 0x20 { i += 1 }
                if i > start {
                    tags.append(EntityTag(weak: weak, opaque: "\"" + String(decoding: bytes[start..<i], as: UTF8.self) + "\""))
                }
            }
            skipSeparators()
        }
        self = .tags(tags)
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
}

/// One entity tag: weak or strong, and its opaque quoted value such as `"abc"`.
public struct EntityTag: Equatable, Sendable {
    /// `true` for a `W/` tag.
    public var weak: Bool
    /// The quoted opaque value, quotes included.
    public var opaque: String
}
