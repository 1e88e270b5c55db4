/// Python's `urllib.parse` and `posixpath` semantics, as Django's manifest storage uses them.
/// Hashed names and rewritten references must come out byte for byte as Django's, so these
/// follow CPython 3.11, quirks included, rather than RFC 3986.
package enum PythonURL {
    /// `urllib.parse.unquote`: `%XX` escapes decoded as UTF-8, invalid sequences replaced.
    package static func unquote(_ s: String) -> String {
        guard s.utf8.contains(UInt8(ascii: "%")) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let h = hexDigitValue(b[i + 1]), let l = hexDigitValue(b[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The value of an ASCII hex digit, or `nil` (also for the engine's percent-decoding).
    package static func hexDigitValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    /// `urllib.parse.quote(s, safe=safe)` over UTF-8.
    package static func quote(_ s: String, safe: String) -> String {
        let safeBytes = Set(safe.utf8)
        var out = ""
        for c in s.utf8 {
            let unreserved = (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
                || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "~")
            if unreserved || safeBytes.contains(c) {
                out.unicodeScalars.append(Unicode.Scalar(c))
            } else {
                let digits = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [digits[Int(c >> 4)], digits[Int(c & 15)]], as: UTF8.self)
            }
        }
        return out
    }

    /// `urllib.parse.urlsplit` result.
    package struct Split: Equatable {
        package var scheme = "", netloc = "", path = "", query = "", fragment = ""
    }

    /// `urllib.parse.urlsplit(url)` (CPython 3.11).
    package static func urlsplit(_ url: String) -> Split {
        var parts = Split()
        // CPython strips leading C0 controls and spaces, and removes tabs and newlines.
        var cleaned = Substring(url).drop { $0.unicodeScalars.first!.value <= 0x20 }
        if cleaned.contains(where: { $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) {
            cleaned = Substring(String(cleaned.unicodeScalars.filter { $0 != "\t" && $0 != "\r" && $0 != "\n" }))
        }
        var rest = cleaned
        if let colon = rest.firstIndex(of: ":"), colon > rest.startIndex, let first = rest.first, first.isASCII, first.isLetter {
            let candidate = rest[..<colon]
            if candidate.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }) {
                parts.scheme = candidate.lowercased()
                rest = rest[rest.index(after: colon)...]
            }
        }
        if rest.hasPrefix("//") {
            let afterSlashes = rest.dropFirst(2)
            let end = afterSlashes.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterSlashes.endIndex
            parts.netloc = String(afterSlashes[..<end])
            rest = afterSlashes[end...]
        }
        if let hash = rest.firstIndex(of: "#") {
            parts.fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        if let q = rest.firstIndex(of: "?") {
            parts.query = String(rest[rest.index(after: q)...])
            rest = rest[..<q]
        }
        parts.path = String(rest)
        return parts
    }

    /// `urllib.parse.urlunsplit`.
    package static func urlunsplit(_ p: Split) -> String {
        var url = p.path
        if !p.netloc.isEmpty || (!p.scheme.isEmpty && usesNetloc.contains(p.scheme) && !url.hasPrefix("//")) {
            if !url.isEmpty, !url.hasPrefix("/") { url = "/" + url }
            url = "//" + p.netloc + url
        }
        if !p.scheme.isEmpty { url = p.scheme + ":" + url }
        if !p.query.isEmpty { url += "?" + p.query }
        if !p.fragment.isEmpty { url += "#" + p.fragment }
        return url
    }

    private static let usesNetloc: Set<String> = [
        "", "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https", "shttp", "snews",
        "prospero", "rtsp", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs", "git", "git+ssh", "ws", "wss",
    ]

    /// `urllib.parse.urldefrag`: (url without fragment, fragment).
    package static func urldefrag(_ url: String) -> (String, String) {
        guard url.contains("#") else { return (url, "") }
        var s = urlsplit(url)
        let fragment = s.fragment
        s.fragment = ""
        return (urlunsplit(s), fragment)
    }

    /// `urllib.parse.urljoin(base, url)` for a relative `url` without scheme, query or fragment
    /// (what Django's storage passes: a quoted file path).
    package static func urljoin(_ base: String, _ url: String) -> String {
        guard !base.isEmpty else { return url }
        guard !url.isEmpty else { return base }
        let b = urlsplit(base)
        var baseParts = b.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if baseParts.last != "" { baseParts.removeLast() }
        var segments: [String]
        if url.hasPrefix("/") {
            segments = url.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        } else {
            segments = baseParts + url.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if segments.count > 2 {
                let middle = segments[1..<(segments.count - 1)].filter { !$0.isEmpty }
                segments = [segments[0]] + middle + [segments[segments.count - 1]]
            }
        }
        var resolved: [String] = []
        for seg in segments {
            if seg == ".." { _ = resolved.popLast() } else if seg != "." { resolved.append(seg) }
        }
        if let last = segments.last, last == "." || last == ".." { resolved.append("") }
        var joined = resolved.joined(separator: "/")
        if joined.isEmpty { joined = "/" }
        return urlunsplit(Split(scheme: b.scheme, netloc: b.netloc, path: joined))
    }

    /// `posixpath.normpath`.
    package static func normpath(_ path: String) -> String {
        if path.isEmpty { return "." }
        var initialSlashes = path.hasPrefix("/") ? 1 : 0
        if path.hasPrefix("//") && !path.hasPrefix("///") { initialSlashes = 2 }
        var parts: [Substring] = []
        for comp in path.split(separator: "/", omittingEmptySubsequences: true) where comp != "." {
            if comp != ".." || (initialSlashes == 0 && parts.isEmpty) || (parts.last == "..") {
                parts.append(comp)
            } else if !parts.isEmpty {
                parts.removeLast()
            }
        }
        let joined = parts.joined(separator: "/")
        let result = String(repeating: "/", count: initialSlashes) + joined
        return result.isEmpty ? "." : result
    }

    /// `posixpath.dirname`.
    package static func dirname(_ path: String) -> String { split(path).0 }

    /// `posixpath.join(a, b)`.
    package static func join(_ a: String, _ b: String) -> String {
        if b.hasPrefix("/") { return b }
        if a.isEmpty || a.hasSuffix("/") { return a + b }
        return a + "/" + b
    }

    /// `os.path.split`: (head, tail), head without trailing slashes unless it is all slashes.
    package static func split(_ path: String) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        let tail = String(path[path.index(after: slash)...])
        var head = String(path[...slash])
        if head.contains(where: { $0 != "/" }) {
            while head.hasSuffix("/") { head.removeLast() }
        }
        return (head, tail)
    }

    /// `os.path.splitext` on a file name: (root, ext), leading dots are not an extension.
    package static func splitext(_ name: String) -> (String, String) {
        guard let dot = name.lastIndex(of: ".") else { return (name, "") }
        let beforeDot = name[..<dot]
        if beforeDot.allSatisfy({ $0 == "." }) { return (name, "") }
        return (String(name[..<dot]), String(name[dot...]))
    }
}
