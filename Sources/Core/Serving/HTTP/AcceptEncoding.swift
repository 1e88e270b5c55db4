/// A content coding the engine serves, and the suffix of the precompressed sibling it is
/// served from. `collectstatic` and `whitenoise compress` write the same suffixes.
public enum ContentCoding: String, Sendable, CaseIterable {
    /// No content coding: the file as it is.
    case identity
    /// Zstandard (`.zst` or `.zstd` sibling).
    case zstd
    /// Brotli (`.br` sibling).
    case br
    /// gzip (`.gz` sibling).
    case gzip

    /// The codings a precompressed variant can have, in the order they are written.
    public static let compressed: [ContentCoding] = [.zstd, .br, .gzip]

    /// Every suffix a variant is served from, with its coding (for zstd, `.zst` before `.zstd`).
    public static let variantSuffixes: [(suffix: String, coding: ContentCoding)] = [
        (".zst", .zstd), (".zstd", .zstd), (".br", .br), (".gz", .gzip),
    ]

    /// The suffix a variant is written under: `.zst`, `.br`, `.gz` (none for identity).
    public var suffix: String {
        switch self {
        case .identity: return ""
        case .zstd: return ".zst"
        case .br: return ".br"
        case .gzip: return ".gz"
        }
    }
}

/// A parsed `Accept-Encoding` header (RFC 9110 §12.5.3): the q-value of each coding this
/// engine can serve. Parsing allocates nothing.
package struct AcceptEncoding: Sendable, Equatable {
    // q-values in thousandths; -1 means "not mentioned".
    private var identity: Int16 = -1
    private var zstd: Int16 = -1
    private var br: Int16 = -1
    private var gzip: Int16 = -1
    private var wildcard: Int16 = -1
    private var mentionedAny = false

    /// The request did not send `Accept-Encoding`: only identity is chosen, as every
    /// mainstream server does (RFC 9110 allows any coding, but clients that omit the header
    /// rarely decode them).
    package static let absent = AcceptEncoding()

    private init() {}

    /// Parses a header value. Codings are case-insensitive whole tokens; a malformed or
    /// out-of-range q-value counts as `q=0`.
    package init(parsing value: some StringProtocol) {
        var bytes = value.utf8.makeIterator()
        var token = TokenMatcher()
        var q: Int16 = 1000
        var inParams = false
        var paramBytes = ParamScanner()
        func finish(_ token: inout TokenMatcher, _ q: Int16) {
            guard token.length > 0 else { return }
            mentionedAny = true
            switch token.kind {
            case .identity: identity = q
            case .zstd: zstd = q
            case .br: br = q
            case .gzip: gzip = q
            case .star: wildcard = q
            case .other: break
            }
        }
        while let c = bytes.next() {
            switch c {
            case UInt8(ascii: ","):
                if inParams, let v = paramBytes.qValue { q = v }
                finish(&token, q)
                token = TokenMatcher()
                q = 1000
                inParams = false
                paramBytes = ParamScanner()
            case UInt8(ascii: ";"):
                if inParams, let v = paramBytes.qValue { q = v }
                inParams = true
                paramBytes = ParamScanner()
            case 0x20, 0x09:
                if inParams { paramBytes.feedSpace() } else { token.feedSpace() }
            default:
                if inParams { paramBytes.feed(c) } else { token.feed(c) }
            }
        }
        if inParams, let v = paramBytes.qValue { q = v }
        finish(&token, q)
    }

    /// The q-value (in thousandths) this header gives a coding; 0 means not acceptable.
    package func quality(of coding: ContentCoding) -> Int {
        if !mentionedAny { return coding == .identity ? 1000 : 0 }
        let explicit: Int16
        switch coding {
        case .identity: explicit = identity
        case .zstd: explicit = zstd
        case .br: explicit = br
        case .gzip: explicit = gzip
        }
        if explicit >= 0 { return Int(explicit) }
        // RFC 9110 §12.5.3: `*` rates every coding not listed, identity included; identity
        // not rated at all stays acceptable.
        if coding == .identity { return wildcard >= 0 ? Int(wildcard) : 1000 }
        return wildcard >= 0 ? Int(wildcard) : 0
    }

    /// Whether this coding may be sent.
    package func accepts(_ coding: ContentCoding) -> Bool { quality(of: coding) > 0 }

    /// Whether the header rates identity itself (by name or through `*`), or is absent. When it
    /// does not, identity is still acceptable (RFC 9110 §12.5.3), and the engine treats it as
    /// preferred as the best coding the client listed: a client that lists codings ranks them,
    /// it does not rank the uncompressed file below them.
    package var ratesIdentity: Bool { !mentionedAny || identity >= 0 || wildcard >= 0 }
}

/// Recognises one coding token byte by byte, case-insensitively, without storing it.
private struct TokenMatcher {
    enum Kind { case identity, zstd, br, gzip, star, other }
    private static let names: [(Kind, [UInt8])] = [
        (.identity, Array("identity".utf8)), (.zstd, Array("zstd".utf8)), (.br, Array("br".utf8)),
        (.gzip, Array("gzip".utf8)), (.gzip, Array("x-gzip".utf8)), (.star, Array("*".utf8)),
    ]
    private var alive: UInt8 = 0b11_1111  // one bit per candidate name
    private var trailingSpace = false
    private(set) var length = 0

    mutating func feedSpace() { if length > 0 { trailingSpace = true } }

    mutating func feed(_ c: UInt8) {
        if trailingSpace { alive = 0 }  // "gz ip" is not a token
        let lower = (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c
        for (i, (_, name)) in Self.names.enumerated() where alive & (1 << i) != 0 {
            if length >= name.count || name[length] != lower { alive &= ~(1 << i) }
        }
        length += 1
    }

    var kind: Kind {
        for (i, (kind, name)) in Self.names.enumerated() where alive & (1 << i) != 0 && name.count == length { return kind }
        return .other
    }
}

/// Scans one `;`-parameter and yields its value when it is a valid `q=` qvalue.
private struct ParamScanner {
    private enum State { case name, afterName, value, afterValue, invalid }
    private var state = State.name
    private var isQ = false
    private var nameLength = 0
    private var digits = 0  // characters of the value seen
    private var value: Int = 0
    private var scale = 100

    mutating func feedSpace() {
        if state == .name, nameLength > 0 { state = .afterName }
        if state == .value, digits > 0 { state = .afterValue }
    }

    mutating func feed(_ c: UInt8) {
        switch state {
        case .invalid: return
        case .afterValue: state = .invalid
        case .name, .afterName:
            if c == UInt8(ascii: "=") { state = .value; return }
            if state == .afterName { state = .invalid; return }
            isQ = nameLength == 0 && (c | 0x20) == UInt8(ascii: "q")
            nameLength += 1
            if nameLength > 1 { isQ = false }
        case .value:
            if digits == 0 {
                guard c == 0x30 || c == 0x31 else { state = .invalid; return }
                value = Int(c - 0x30) * 1000
            } else if digits == 1 {
                guard c == UInt8(ascii: ".") else { state = .invalid; return }
            } else {
                guard c >= 0x30, c <= 0x39, digits <= 4 else { state = .invalid; return }
                value += Int(c - 0x30) * scale
                scale /= 10
            }
            digits += 1
        }
    }

    /// The q-value in thousandths when this parameter is `q=<valid qvalue>`; `0` for an
    /// invalid q; `nil` when this is not a q parameter.
    var qValue: Int16? {
        guard isQ, nameLength == 1 else { return nil }
        guard state == .value || state == .afterValue, digits > 0, value <= 1000 else { return 0 }
        return Int16(value)
    }
}

extension StringProtocol {
    func trimmingSpaces() -> SubSequence {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
