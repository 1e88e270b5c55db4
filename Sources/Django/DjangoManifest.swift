import Foundation

/// `staticfiles.json`, Django's manifest: original name → hashed name. The one model of it
/// in the package: `collectstatic` writes it (``json(paths:compatibility:)``), the engine
/// reads its hashed names (immutable files), `{% static %}` and `clean` read it
/// (``read(root:)``). Versions 1.0 and 1.1 are read, as Django does.
public struct DjangoManifest: Sendable, Equatable {
    /// The manifest's file name in `STATIC_ROOT`.
    public static let fileName = "staticfiles.json"

    /// Original name → hashed name.
    public var paths: [String: String]

    /// A manifest of `paths`.
    public init(paths: [String: String]) {
        self.paths = paths
    }

    /// Why a manifest could not be read.
    public struct UnreadableError: Error, Equatable, CustomStringConvertible {
        /// The manifest's path.
        public var path: String

        /// An error for the manifest at `path`.
        public init(path: String) {
            self.path = path
        }
        /// The message, naming the file.
        public var description: String {
            "'\(path)' is not a staticfiles.json in Django's format (version 1.0 or 1.1 with \"paths\")"
        }
    }

    /// Reads `root/staticfiles.json`; `nil` when there is none.
    /// - Throws: ``UnreadableError`` for a file that is not Django's manifest.
    public static func read(root: String) throws(UnreadableError) -> DjangoManifest? {
        let path = root + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let version = object["version"] as? String, version == "1.0" || version == "1.1"
        else { throw UnreadableError(path: path) }
        guard let paths = object["paths"] else { return DjangoManifest(paths: [:]) }
        guard let strings = paths as? [String: String] else { throw UnreadableError(path: path) }
        return DjangoManifest(paths: strings)
    }

    /// The files the manifest names as hashed versions: its values, without the query or
    /// fragment a value may carry (`font.3f1a9c2b7d4e.eot?#iefix`).
    public var hashedFiles: Set<String> {
        Set(paths.values.map { String($0.prefix { $0 != "?" && $0 != "#" }) })
    }

    /// The hashed files of `root`'s manifest; empty without a readable one.
    public static func hashedFiles(root: String) -> Set<String> {
        ((try? read(root: root)) ?? nil)?.hashedFiles ?? []
    }

    /// Django's `hashed_name(name)` given the MD5 of the file's bytes: the clean name's stem,
    /// a dot and the digest's first 12 hex digits, then the extension; query and fragment
    /// kept (and the `?#` font hack).
    public static func hashedName(_ name: String, md5: String) -> String {
        var parsed = PythonURL.urlsplit(PythonURL.unquote(name))
        let cleanName = parsed.path.trimmingCharacters(in: .whitespacesAndNewlines)
        let hash = md5.prefix(12)
        let (directory, file) = PythonURL.split(cleanName)
        let (stem, ext) = PythonURL.splitext(file)
        parsed.path = directory.isEmpty ? "\(stem).\(hash)\(ext)" : "\(directory)/\(stem).\(hash)\(ext)"
        if name.contains("?#"), parsed.query.isEmpty { parsed.path += "?" }
        return PythonURL.urlunsplit(parsed)
    }

    /// The manifest's bytes for `paths` (given in Django's insertion order), as
    /// `compatibility`'s Django writes them:
    /// `json.dumps({"paths": …, "version": "1.1", "hash": md5(json.dumps(sorted(paths.items())))[:12]})`,
    /// `paths` in post-processing order (5.2) or sorted by name (6.1).
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
    static func quote(_ s: String) -> String { JSONText.quote(s, asciiOnly: true) }
}

/// JSON string literals for the files the package writes, as Python's `json.dumps` writes
/// them (`\b`, `\f`, `\n`, `\r`, `\t`, other controls as `\u00XX`).
package enum JSONText {
    /// A JSON string literal. With `asciiOnly` (`ensure_ascii=True`, as in `staticfiles.json`)
    /// every non-ASCII scalar is a `\uXXXX` escape (a surrogate pair above U+FFFF); otherwise
    /// it is kept as UTF-8. With `escapingHTML`, `<`, `>` and `&` are written as `\u003c`,
    /// `\u003e`, `\u0026`, so the text can sit inside a `<script>`.
    package static func quote(_ s: String, asciiOnly: Bool = false, escapingHTML: Bool = false) -> String {
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
            case "<" where escapingHTML: out += "\\u003c"
            case ">" where escapingHTML: out += "\\u003e"
            case "&" where escapingHTML: out += "\\u0026"
            default:
                if scalar.value < 0x20 || (asciiOnly && scalar.value > 0x7E) {
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
