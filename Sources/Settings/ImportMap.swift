import WhiteNoise
import WhiteNoiseDjango

/// The import map an app's pages carry, built once from `staticfiles.json` and the integrity
/// values: `imports` maps each JS module's unhashed URL to its hashed URL, and `integrity`
/// gives each hashed URL's value. Modules then import each other by plain relative paths,
/// with no rewriting: an import of `./greet.js` from `/static/js/app.3f1a9c0b7d2e.js`
/// resolves to `/static/js/greet.js`, which the map sends to the hashed file.
///
/// Which files are modules: every `.mjs`, and every `.js` (or, with
/// `WHITENOISE_IMPORT_MAP_FOLDERS`, the `.js` under those folders). A classic script in the
/// map costs one line and changes nothing, since only module imports consult the map; a
/// module left out would silently load from its unhashed, briefly cached URL.
public struct ImportMap: Sendable {
    /// Unhashed URL → hashed URL.
    public private(set) var imports: [String: String] = [:]
    /// Hashed URL → `sha384-…`.
    public private(set) var integrity: [String: String] = [:]
    /// Modules without an integrity value.
    public private(set) var missingIntegrity: [IntegrityLookupError] = []

    /// An empty map (what `DEBUG` gives: files are served under their plain names).
    public init() {}

    /// The map for `urls`'s manifest and integrity values.
    init(urls: StaticURLs, moduleFolders: [String]) {
        guard urls.integrityRoot != nil else { return }
        let names = urls.manifest.map { Array($0.paths.keys) } ?? Array(urls.integrityIndex?.files.keys ?? [:].keys)
        let folders = moduleFolders.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        for name in names where Self.isModule(name, folders: folders) {
            guard let hashedURL = try? urls.url(for: name) else { continue }
            let plainURL = PythonURL.storageURL(base: urls.baseURL, name: name)
            if hashedURL != plainURL { imports[plainURL] = hashedURL }
            do {
                if let value = try urls.integrity(for: name) { integrity[hashedURL] = value }
            } catch let error as IntegrityLookupError {
                missingIntegrity.append(error)
            } catch {}
        }
        missingIntegrity.sort { $0.description < $1.description }
    }

    /// `.mjs`, or `.js` (under one of `folders` when any are given).
    static func isModule(_ name: String, folders: [String]) -> Bool {
        if name.hasSuffix(".mjs") { return true }
        guard name.hasSuffix(".js") else { return false }
        return folders.isEmpty || folders.contains { name.hasPrefix($0) }
    }

    /// The map as JSON, keys sorted, one entry a line (so no `{{`: safe in a Mustache lambda's
    /// output), with `<`, `>` and `&` escaped so that nothing can end the script element.
    public var json: String {
        var out = "{\n  \"imports\": {"
        out += Self.members(imports)
        if !integrity.isEmpty {
            out += ",\n  \"integrity\": {" + Self.members(integrity)
        }
        return out + "\n}\n"
    }

    private static func members(_ map: [String: String]) -> String {
        guard !map.isEmpty else { return "}" }
        let lines = map.keys.sorted().map { "    \(JSONText.quote($0, escapingHTML: true)): \(JSONText.quote(map[$0]!, escapingHTML: true))" }
        return "\n" + lines.joined(separator: ",\n") + "\n  }"
    }
}
