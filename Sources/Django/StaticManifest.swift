import Foundation

/// Lookups in a `staticfiles.json`, as Django's `ManifestFilesMixin.stored_name` does them,
/// with `WHITENOISE_MANIFEST_STRICT` semantics: strict, a name missing from the manifest is
/// an error; otherwise its hashed name is computed from the file in `STATIC_ROOT`.
public struct StaticManifest: Sendable {
    /// Why a lookup failed.
    public enum LookupError: Error, Equatable, CustomStringConvertible {
        /// Strict mode and no entry (Django: "Missing staticfiles manifest entry for '…'").
        case missingEntry(String)
        /// Not strict, no entry, and no such file in STATIC_ROOT either.
        case missingFile(String)
        /// The manifest is not Django's format (versions 1.0 and 1.1 are read).
        case unreadableManifest(path: String)

        /// The message, naming the entry or file.
        public var description: String {
            switch self {
            case .missingEntry(let name): return "Missing staticfiles manifest entry for '\(name)'"
            case .missingFile(let name): return "The file '\(name)' could not be found in STATIC_ROOT"
            case .unreadableManifest(let path): return "Couldn't load manifest '\(path)' (version 1.1)"
            }
        }
    }

    /// `STATIC_ROOT`.
    public let root: String
    /// Original name → hashed name.
    public let paths: [String: String]

    /// Reads `root/staticfiles.json`; a missing manifest is an empty one (as Django).
    public init(root: String) throws {
        self.root = root
        do {
            paths = try DjangoManifest.read(root: root)?.paths ?? [:]
        } catch {
            throw LookupError.unreadableManifest(path: error.path)
        }
    }

    /// The stored (hashed) name for `name`, query and fragment kept.
    public func storedName(_ name: String, strict: Bool = true) throws -> String {
        var parsed = PythonURL.urlsplit(PythonURL.unquote(name))
        let cleanName = parsed.path.trimmingCharacters(in: .whitespacesAndNewlines)
        if let cacheName = paths[cleanName] {
            parsed.path = cacheName
            if name.contains("?#"), parsed.query.isEmpty { parsed.path += "?" }
            return PythonURL.urlunsplit(parsed)
        }
        if strict { throw LookupError.missingEntry(cleanName) }
        // Django refuses names that leave STATIC_ROOT (SuspiciousFileOperation).
        guard !cleanName.hasPrefix("/"), !cleanName.split(separator: "/").contains(".."),
            let md5 = try? MD5.hex(file: root + "/" + cleanName)
        else {
            throw LookupError.missingFile(cleanName)
        }
        return DjangoManifest.hashedName(name, md5: md5)
    }
}
