import Foundation
import WhiteNoise
import WhiteNoiseDjango

/// Why a static file has no integrity value to give.
public enum IntegrityLookupError: Error, Equatable, CustomStringConvertible {
    /// `staticfiles.integrity.json` lists no value for the stored name.
    case missingEntry(name: String, storedName: String, root: String)
    /// There is no `staticfiles.integrity.json` in `STATIC_ROOT`.
    case missingFile(root: String)

    /// The message, naming the file and what to do.
    public var description: String {
        switch self {
        case .missingEntry(let name, let stored, let root):
            let which = name == stored ? "'\(name)'" : "'\(name)' (stored as '\(stored)')"
            return "Missing integrity entry for \(which) in \(root)/\(IntegrityIndex.fileName): run whitenoise collectstatic, or fix the name"
        case .missingFile(let root):
            return "No \(IntegrityIndex.fileName) in STATIC_ROOT '\(root)': run whitenoise collectstatic (it writes the integrity values)"
        }
    }
}

extension StaticURLs {
    /// The Subresource Integrity value (`sha384-…`) of the file `name` is served as, recorded by
    /// `collectstatic` for the stored (hashed) name; `nil` in `DEBUG`, where files are served
    /// from the sources as they are being edited and a value computed at render time could be
    /// stale by the time the browser fetches the file.
    ///
    /// With `WHITENOISE_MANIFEST_STRICT=false`, a name the integrity file does not list gets
    /// the value of the file in `STATIC_ROOT` now (as its hashed name is computed).
    /// - Throws: ``IntegrityLookupError`` (or the manifest's `missingEntry`) when there is none.
    public func integrity(for name: String) throws -> String? {
        guard let root = integrityRoot else { return nil }
        let stored = try storedPath(for: name)
        if let value = integrityIndex?.files[stored] { return value }
        if !strict, !stored.hasPrefix("/"), !stored.split(separator: "/").contains(".."),
            let bytes = FileManager.default.contents(atPath: root + "/" + stored) {
            return SHA384.integrity(Array(bytes))
        }
        if integrityIndex == nil { throw IntegrityLookupError.missingFile(root: root) }
        throw IntegrityLookupError.missingEntry(name: name, storedName: stored, root: root)
    }

    /// The path inside `STATIC_ROOT` that `name` is served from (the hashed name, without a
    /// query or fragment).
    func storedPath(for name: String) throws -> String {
        let clean = PythonURL.urlsplit(PythonURL.unquote(PythonURL.urldefrag(name).0)).path
        guard let manifest else { return clean }
        let stored = try manifest.storedName(clean, strict: strict)
        return PythonURL.urlsplit(stored).path
    }

    /// Whether `STATIC_URL` is on another origin (a CDN): elements then ask for CORS
    /// (`crossorigin="anonymous"`), which Subresource Integrity needs there.
    public var isCrossOrigin: Bool {
        baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://") || baseURL.hasPrefix("//")
    }

    /// `<link rel="stylesheet" href="…" integrity="…">` for `name`.
    public func stylesheetElement(for name: String) throws -> String {
        try element(.stylesheet, name, nonce: nil, integrity: integrity(for: name))
    }

    /// `<script src="…" integrity="…"></script>` for `name` (a classic script).
    public func scriptElement(for name: String, nonce: String? = nil) throws -> String {
        try element(.script, name, nonce: nonce, integrity: integrity(for: name))
    }

    /// `<script type="module" src="…" integrity="…"></script>` for `name` (an entry module).
    public func moduleScriptElement(for name: String, nonce: String? = nil) throws -> String {
        try element(.moduleScript, name, nonce: nonce, integrity: integrity(for: name))
    }

    /// `<link rel="modulepreload" href="…" integrity="…">` for `name`, so the browser fetches
    /// a module before the import that needs it.
    public func modulePreloadElement(for name: String) throws -> String {
        try element(.modulePreload, name, nonce: nil, integrity: integrity(for: name))
    }

    /// The kinds of element the helpers write.
    public enum ElementKind: Sendable {
        /// `<link rel="stylesheet">`.
        case stylesheet
        /// `<script src>`.
        case script
        /// `<script type="module" src>`.
        case moduleScript
        /// `<link rel="modulepreload">`.
        case modulePreload
    }

    /// The element of `kind` for `name` with `integrity` (left out when `nil`), for helpers
    /// that cannot throw and render what they can (Mustache's lambdas).
    public func element(_ kind: ElementKind, _ name: String, nonce: String?, integrity: String?) throws -> String {
        Self.element(kind, url: try url(for: name), nonce: nonce, integrity: integrity, crossOrigin: isCrossOrigin)
    }

    /// The element of `kind` for `url`.
    public static func element(_ kind: ElementKind, url: String, nonce: String?, integrity: String?, crossOrigin: Bool) -> String {
        var attributes = ""
        if let integrity { attributes += " integrity=\"\(escapeAttribute(integrity))\"" }
        if crossOrigin { attributes += " crossorigin=\"anonymous\"" }
        if let nonce, !nonce.isEmpty { attributes += " nonce=\"\(escapeAttribute(nonce))\"" }
        let href = escapeAttribute(url)
        switch kind {
        case .stylesheet: return "<link rel=\"stylesheet\" href=\"\(href)\"\(attributes)>"
        case .script: return "<script src=\"\(href)\"\(attributes)></script>"
        case .moduleScript: return "<script type=\"module\" src=\"\(href)\"\(attributes)></script>"
        case .modulePreload: return "<link rel=\"modulepreload\" href=\"\(href)\"\(attributes)>"
        }
    }

    /// `<script type="importmap">` mapping each JS module's unhashed URL to its hashed URL,
    /// with the hashed URLs' integrity values (see ``ImportMap``); `nonce` for a CSP.
    /// - Throws: ``IntegrityLookupError`` when a module has no integrity value.
    public func importMapElement(nonce: String? = nil) throws -> String {
        if let missing = importMap.missingIntegrity.first { throw missing }
        return importMapElementIgnoringMissingIntegrity(nonce: nonce)
    }

    /// The import map, leaving out the integrity of modules that have none (for helpers that
    /// cannot throw; ``ImportMap/missingIntegrity`` says which).
    public func importMapElementIgnoringMissingIntegrity(nonce: String? = nil) -> String {
        let nonceAttribute = nonce.map { $0.isEmpty ? "" : " nonce=\"\(Self.escapeAttribute($0))\"" } ?? ""
        return "<script type=\"importmap\"\(nonceAttribute)>\n\(importMap.json)</script>"
    }

    /// The import map's problems (modules without an integrity value), for logging.
    public var importMapProblems: [IntegrityLookupError] { importMap.missingIntegrity }

    /// An HTML attribute value: `&`, `"`, `<` and `>` escaped.
    static func escapeAttribute(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
