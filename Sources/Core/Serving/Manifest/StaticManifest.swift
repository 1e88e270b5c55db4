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
        let path = root + "/staticfiles.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            paths = [:]
            return
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let version = object["version"] as? String, version == "1.0" || version == "1.1"
        else { throw LookupError.unreadableManifest(path: path) }
        paths = object["paths"] as? [String: String] ?? [:]
    }

    /// `md5(file).hexdigest()`, read in 1 MiB chunks; `nil` unless a readable regular file.
    private static func md5(ofFile path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let handle = FileHandle(forReadingAtPath: path)
        else { return nil }
        defer { try? handle.close() }
        var digest = MD5()
        do {
            // `nil` (or an empty chunk) is the end of the file; an error is an unreadable file.
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                chunk.withUnsafeBytes { digest.update($0) }
            }
        } catch {
            return nil
        }
        return digest.hexDigest()
    }

    /// The stored (hashed) name for `name`, query and fragment kept.
    public func storedName(_ name: String, strict: Bool = true) throws -> String {
        var parsed = PythonURL.urlsplit(PythonURL.unquote(name))
        let cleanName = parsed.path.trimmingCharacters(in: .whitespacesAndNewlines)
        var cacheName = paths[cleanName]
        if cacheName == nil {
            if strict { throw LookupError.missingEntry(cleanName) }
            // Django refuses names that leave STATIC_ROOT (SuspiciousFileOperation).
            guard !cleanName.hasPrefix("/"), !cleanName.split(separator: "/").contains(".."),
                let md5 = Self.md5(ofFile: root + "/" + cleanName)
            else {
                throw LookupError.missingFile(cleanName)
            }
            let (directory, file) = PythonURL.split(cleanName)
            let (stem, ext) = PythonURL.splitext(file)
            cacheName = directory.isEmpty ? "\(stem).\(md5.prefix(12))\(ext)" : "\(directory)/\(stem).\(md5.prefix(12))\(ext)"
        }
        parsed.path = cacheName!
        if name.contains("?#"), parsed.query.isEmpty { parsed.path += "?" }
        return PythonURL.urlunsplit(parsed)
    }
}
