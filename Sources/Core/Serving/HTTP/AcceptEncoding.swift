/// The content codings this engine can serve, in the order used to break size ties.
public enum ContentCoding: String, Sendable, CaseIterable {
    /// No content coding: the file as it is.
    case identity
    /// Zstandard (`.zst` or `.zstd` sibling).
    case zstd
    /// Brotli (`.br` sibling).
    case br
    /// gzip (`.gz` sibling).
    case gzip
}

/// A parsed `Accept-Encoding` header (RFC 9110 §12.5.3): q-values per coding.
public struct AcceptEncoding: Sendable, Equatable {
    private var explicit: [(coding: String, q: Int)] = []  // q in thousandths
    private var wildcard: Int?

    /// The request did not send `Accept-Encoding`: only identity is chosen, as every
    /// mainstream server does (RFC 9110 allows any coding, but real clients that omit
    /// the header rarely decode them).
    public static let absent = AcceptEncoding()

    private init() {}

    /// Parses a header value. Tokens are case-insensitive; a malformed or out-of-range
    /// q-value counts as `q=0`.
    public init(parsing value: some StringProtocol) {
        for member in value.split(separator: ",") {
            var parts = member.split(separator: ";", omittingEmptySubsequences: false).makeIterator()
            guard let rawToken = parts.next() else { continue }
            let token = rawToken.trimmingSpaces().lowercased()
            guard !token.isEmpty else { continue }
            var q = 1000
            while let param = parts.next() {
                let p = param.trimmingSpaces()
                guard p.count >= 2, p.utf8.first.map({ $0 | 0x20 }) == UInt8(ascii: "q"), p.dropFirst().trimmingSpaces().first == "=" else { continue }
                let v = p.drop(while: { $0 != "=" }).dropFirst().trimmingSpaces()
                q = Self.parseQ(v) ?? 0
            }
            if token == "*" { wildcard = q } else { explicit.append((token == "x-gzip" ? "gzip" : token, q)) }
        }
    }

    public static func == (a: AcceptEncoding, b: AcceptEncoding) -> Bool {
        a.wildcard == b.wildcard && a.explicit.elementsEqual(b.explicit, by: { $0.coding == $1.coding && $0.q == $1.q })
    }

    /// The q-value (in thousandths) this header gives a coding; 0 means not acceptable.
    public func quality(of coding: ContentCoding) -> Int {
        if explicit.isEmpty && wildcard == nil { return coding == .identity ? 1000 : 0 }
        if let hit = explicit.last(where: { $0.coding == coding.rawValue }) { return hit.q }
        if coding == .identity {
            // Identity is acceptable unless excluded explicitly or by `*;q=0` (RFC 9110 §12.5.3).
            if let w = wildcard, w == 0 { return 0 }
            return 1000
        }
        return wildcard ?? 0
    }

    /// Whether this coding may be sent.
    public func accepts(_ coding: ContentCoding) -> Bool { quality(of: coding) > 0 }

    /// RFC 9110 qvalue: `0`, `0.xxx`, `1`, `1.000`; anything else is invalid.
    static func parseQ(_ s: some StringProtocol) -> Int? {
        let b = Array(s.utf8)
        guard let first = b.first, first == 0x30 || first == 0x31 else { return nil }
        var value = Int(first - 0x30) * 1000
        if b.count == 1 { return value }
        guard b[1] == UInt8(ascii: "."), b.count <= 5 else { return nil }
        var scale = 100
        for c in b[2...] {
            guard c >= 0x30, c <= 0x39 else { return nil }
            value += Int(c - 0x30) * scale
            scale /= 10
        }
        return value <= 1000 ? value : nil
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
