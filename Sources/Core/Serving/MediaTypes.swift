/// File name → media type, from WhiteNoise's nginx-derived table plus the modern formats it
/// lacks. Lookup is by whole (lower-cased) file name first, then by the last extension.
public struct MediaTypes: Sendable {
    private var byName: [String: String]
    private var byExtension: [String: String]

    /// The type used when nothing matches.
    public static let fallback = "application/octet-stream"

    /// The default table, with `overrides` merged over it. Keys are an extension with its dot
    /// (`".js"`) or a whole file name (`"apple-app-site-association"`); case is ignored.
    public init(overrides: [String: String] = [:]) {
        byName = Self.defaultNames
        byExtension = Self.defaultExtensions
        for (key, type) in overrides {
            let k = key.lowercased()
            if k.hasPrefix(".") { byExtension[String(k.dropFirst())] = type } else { byName[k] = type }
        }
    }

    /// The media type for a file name or path (without any charset parameter).
    public func type(forFileName path: String) -> String {
        let name = (path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path).lowercased()
        if let t = byName[name] { return t }
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return Self.fallback }
        return byExtension[String(name[name.index(after: dot)...])] ?? Self.fallback
    }

    /// The `Content-Type` value: the media type, plus `; charset=<charset>` for `text/*` types
    /// (and JavaScript/JSON-like text) when a charset is given.
    public func contentType(forFileName path: String, charset: String?) -> String {
        let t = type(forFileName: path)
        guard let charset, !charset.isEmpty, t.hasPrefix("text/") else { return t }
        return t + "; charset=" + charset
    }

    static let defaultNames: [String: String] = [
        "apple-app-site-association": "application/pkc7-mime",
        "crossdomain.xml": "text/x-cross-domain-policy",
    ]

    static let defaultExtensions: [String: String] = {
        let groups: [(String, [String])] = [
            ("video/3gpp", ["3gp", "3gpp"]), ("application/x-7z-compressed", ["7z"]),
            ("application/postscript", ["ai", "eps", "ps"]), ("video/x-ms-asf", ["asf", "asx"]),
            ("application/atom+xml", ["atom"]), ("video/x-msvideo", ["avi"]), ("image/avif", ["avif"]),
            ("image/x-ms-bmp", ["bmp"]), ("application/x-cocoa", ["cco"]),
            ("application/x-x509-ca-cert", ["crt", "der", "pem"]), ("text/css", ["css"]),
            ("application/msword", ["doc"]),
            ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ["docx"]),
            ("application/java-archive", ["ear", "jar", "war"]), ("application/vnd.ms-fontobject", ["eot"]),
            ("video/x-flv", ["flv"]), ("image/gif", ["gif"]), ("application/mac-binhex40", ["hqx"]),
            ("text/x-component", ["htc"]), ("text/html", ["htm", "html", "shtml"]), ("image/x-icon", ["ico"]),
            ("text/vnd.sun.j2me.app-descriptor", ["jad"]), ("application/x-java-archive-diff", ["jardiff"]),
            ("image/x-jng", ["jng"]), ("application/x-java-jnlp-file", ["jnlp"]), ("image/jpeg", ["jpeg", "jpg"]),
            ("text/javascript", ["js", "mjs", "cjs"]), ("application/json", ["json"]),
            ("audio/midi", ["kar", "mid", "midi"]), ("application/vnd.google-earth.kml+xml", ["kml"]),
            ("application/vnd.google-earth.kmz", ["kmz"]), ("application/vnd.apple.mpegurl", ["m3u8"]),
            ("audio/x-m4a", ["m4a"]), ("video/x-m4v", ["m4v"]), ("text/markdown", ["md"]), ("text/mathml", ["mml"]),
            ("video/x-mng", ["mng"]), ("video/quicktime", ["mov"]), ("audio/mpeg", ["mp3"]), ("video/mp4", ["mp4"]),
            ("video/mpeg", ["mpeg", "mpg"]), ("application/vnd.oasis.opendocument.graphics", ["odg"]),
            ("application/vnd.oasis.opendocument.presentation", ["odp"]),
            ("application/vnd.oasis.opendocument.spreadsheet", ["ods"]),
            ("application/vnd.oasis.opendocument.text", ["odt"]), ("audio/ogg", ["ogg"]),
            ("application/x-pilot", ["pdb", "prc"]), ("application/pdf", ["pdf"]), ("application/x-perl", ["pl", "pm"]),
            ("image/png", ["png"]), ("application/vnd.ms-powerpoint", ["ppt"]),
            ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ["pptx"]),
            ("audio/x-realaudio", ["ra"]), ("application/x-rar-compressed", ["rar"]),
            ("application/x-redhat-package-manager", ["rpm"]), ("application/rss+xml", ["rss"]),
            ("application/rtf", ["rtf"]), ("application/x-makeself", ["run"]), ("application/x-sea", ["sea"]),
            ("application/x-stuffit", ["sit"]), ("image/svg+xml", ["svg", "svgz"]),
            ("application/x-shockwave-flash", ["swf"]), ("application/x-tcl", ["tcl", "tk"]),
            ("image/tiff", ["tif", "tiff"]), ("video/mp2t", ["ts"]), ("text/plain", ["txt"]),
            ("application/wasm", ["wasm"]), ("image/vnd.wap.wbmp", ["wbmp"]), ("video/webm", ["webm"]),
            ("image/webp", ["webp"]), ("text/vnd.wap.wml", ["wml"]), ("application/vnd.wap.wmlc", ["wmlc"]),
            ("video/x-ms-wmv", ["wmv"]), ("font/woff", ["woff"]), ("font/woff2", ["woff2"]),
            ("application/xhtml+xml", ["xhtml"]), ("application/vnd.ms-excel", ["xls"]),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ["xlsx"]), ("text/xml", ["xml"]),
            ("application/x-xpinstall", ["xpi"]), ("application/xspf+xml", ["xspf"]), ("application/zip", ["zip"]),
            // Modern gaps in WhiteNoise's table.
            ("application/json", ["map"]), ("font/ttf", ["ttf"]), ("font/otf", ["otf"]),
            ("application/manifest+json", ["webmanifest"]), ("image/jxl", ["jxl"]), ("text/csv", ["csv"]),
            ("application/yaml", ["yaml", "yml"]), ("image/apng", ["apng"]), ("audio/wav", ["wav"]),
            ("audio/flac", ["flac"]), ("audio/aac", ["aac"]), ("audio/opus", ["opus"]), ("text/calendar", ["ics"]),
            ("application/ld+json", ["jsonld"]), ("text/vtt", ["vtt"]), ("application/pgp-signature", ["sig", "asc"]),
            ("application/zstd", ["zst"]), ("application/gzip", ["gz"]), ("application/x-bzip2", ["bz2"]),
            ("application/x-xz", ["xz"]), ("application/x-tar", ["tar"]), ("image/heic", ["heic"]),
        ]
        var table: [String: String] = [:]
        for (type, exts) in groups { for e in exts { table[e] = type } }
        return table
    }()
}
