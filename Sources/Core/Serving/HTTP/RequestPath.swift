import Foundation
import WhiteNoiseDjango

/// The path part of a request target, percent-decoded, plus its raw query.
package struct RequestPath: Sendable, Equatable {
    /// The decoded path, e.g. `/static/caf\u{e9}.css`. Always starts with `/`.
    package var path: String
    /// The raw query string without `?`, or `nil` when the target had none.
    package var query: Substring?

    /// Splits and decodes a request target (origin-form or absolute-form). Returns `nil` for
    /// targets that can never name a file: `*`, an empty target, invalid percent-encoding,
    /// or bytes that are not UTF-8 once decoded.
    package init?(target: String) {
        guard let first = target.utf8.first,
              let origin = first == UInt8(ascii: "/") ? target : Self.originForm(ofAbsolute: target),
              let parsed = Self.parseOriginForm(origin) else { return nil }
        (path, query) = parsed
    }

    private static func parseOriginForm(_ target: String) -> (String, Substring?)? {
        // One pass over contiguous bytes: where the path ends, where a fragment starts, escapes.
        var copy = target
        let (end, fragment, hasEscape) = copy.withUTF8 { b -> (Int, Int, Bool) in
            var end = b.count, fragment = b.count, escape = false
            var i = 0
            while i < b.count {
                let c = b[i]
                if c == UInt8(ascii: "?") || c == UInt8(ascii: "#") {
                    end = i
                    fragment = c == UInt8(ascii: "#") ? i : (b[(i + 1)...].firstIndex(of: UInt8(ascii: "#")) ?? b.count)
                    break
                }
                if c == UInt8(ascii: "%") { escape = true }
                i += 1
            }
            return (end, fragment, escape)
        }
        let u = target.utf8
        var query: Substring?
        if end < fragment {  // there is a '?'
            query = target[u.index(u.startIndex, offsetBy: end + 1)..<u.index(u.startIndex, offsetBy: fragment)]
        }
        if end == u.count, !hasEscape { return (target, query) }
        let raw = target[..<u.index(u.startIndex, offsetBy: end)]
        if hasEscape {
            guard let decoded = percentDecode(raw) else { return nil }
            return (decoded, query)
        }
        return (String(raw), query)
    }

    /// `http://host/path?q` → `/path?q`; `nil` for anything that is not absolute-form.
    private static func originForm(ofAbsolute target: String) -> String? {
        guard let schemeEnd = target.range(of: "://") else { return nil }
        let afterAuthority = target[schemeEnd.upperBound...]
        guard let slash = afterAuthority.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) else { return "/" }
        let rest = afterAuthority[slash...]
        return rest.first == "/" ? String(rest) : "/" + rest
    }

    /// Decodes `%XX` escapes. `+` is left alone (it is a literal in paths).
    static func percentDecode(_ s: Substring) -> String? {
        let utf8 = s.utf8
        guard utf8.contains(UInt8(ascii: "%")) else { return String(s) }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var it = utf8.makeIterator()
        while let c = it.next() {
            if c == UInt8(ascii: "%") {
                guard let h = it.next(), let l = it.next(), let hv = PythonURL.hexDigitValue(h), let lv = PythonURL.hexDigitValue(l) else { return nil }
                out.append(hv << 4 | lv)
            } else {
                out.append(c)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    /// Whether a decoded path is canonical: it starts with `/` and has no `.` or `..` segment,
    /// no empty segment (`//`), no backslash and no NUL. Autorefresh serves only these.
    package static func isCanonical(_ path: String) -> Bool {
        guard path.utf8.first == UInt8(ascii: "/") else { return false }
        if path.utf8.contains(0) || path.utf8.contains(UInt8(ascii: "\\")) { return false }
        let segments = path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        for (index, segment) in segments.enumerated() {
            if segment.isEmpty {
                if index == segments.count - 1 { continue }  // a trailing slash is fine
                return false
            }
            if segment.elementsEqual([UInt8(ascii: ".")]) || segment.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                return false
            }
        }
        return true
    }

    /// Percent-encodes a path for a `Location` header (RFC 3986 pchar set plus `/`).
    package static func percentEncode(_ path: String) -> String { PythonURL.quote(path, safe: "/") }
}
