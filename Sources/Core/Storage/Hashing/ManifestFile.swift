import WhiteNoise
/// `staticfiles.json` exactly as Django writes it:
/// `json.dumps({"paths": …, "version": "1.1", "hash": md5(json.dumps(sorted(paths.items())))[:12]})`,
/// `paths` in post-processing order (5.2) or sorted by name (6.1).
public enum ManifestFile {
    /// The manifest's file name in `STATIC_ROOT`.
    public static let name = "staticfiles.json"

    /// The manifest's bytes for `paths` (given in Django's insertion order), as
    /// `compatibility`'s Django writes them.
    public static func json(paths: [(String, String)], compatibility: DjangoCompatibility = .default) -> String {
        let sorted = paths.sorted { lhs, rhs in
            lhs.0 != rhs.0 ? codePointsLess(lhs.0, rhs.0) : codePointsLess(lhs.1, rhs.1)
        }
        let sortedJSON = "[" + sorted.map { "[\(quote($0.0)), \(quote($0.1))]" }.joined(separator: ", ") + "]"
        let hash = String(MD5.hex(Array(sortedJSON.utf8)).prefix(12))
        let body = (compatibility.sortsManifestPaths ? sorted : paths).map { "\(quote($0.0)): \(quote($0.1))" }.joined(separator: ", ")
        return "{\"paths\": {\(body)}, \"version\": \"1.1\", \"hash\": \"\(hash)\"}"
    }

    /// Python's `str` ordering: by code point.
    static func codePointsLess(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) { $0.value < $1.value }
    }

    /// `json.dumps` of a string with `ensure_ascii=True`.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value > 0x7E {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        out += hex4(0xD800 + (v >> 10)) + hex4(0xDC00 + (v & 0x3FF))
                    } else {
                        out += hex4(scalar.value)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func hex4(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - s.count) + s
    }
}
