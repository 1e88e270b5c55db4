import WhiteNoise
import WhiteNoiseDjango

/// Turns a static file's name into the URL a page should link, as Django's `{% static %}` does
/// with the configured storage: `STATIC_URL` + the hashed name from `staticfiles.json`
/// (query and fragment kept), or the name itself in `DEBUG` or with an unhashed storage.
/// Template helpers (Leaf's `#static`, the Mustache `static` lambda) use it, and so do the
/// integrity helpers (``integrity(for:)``, the whole elements and the import map).
///
/// The manifest and the integrity values are read once, when the resolver is made; a new
/// deployment restarts the app.
public struct StaticURLs: Sendable {
    /// The base URL names are joined to (`STATIC_URL`, under `FORCE_SCRIPT_NAME` if relative).
    public let baseURL: String
    let manifest: StaticManifest?
    let strict: Bool
    private let hashesNames: Bool
    /// `STATIC_ROOT`, where integrity values are read (`nil` in `DEBUG`: none are given).
    let integrityRoot: String?
    /// `staticfiles.integrity.json`, when `collectstatic` wrote one.
    let integrityIndex: IntegrityIndex?
    /// The import map's entries, made once.
    private(set) var importMap = ImportMap()

    /// A resolver for `settings`. Reads `STATIC_ROOT/staticfiles.json` when the storage hashes
    /// names and `DEBUG` is off (a missing manifest is an empty one, as in Django).
    /// Outside `DEBUG` it also reads `STATIC_ROOT/staticfiles.integrity.json` if there is one.
    /// - Throws: `StaticManifest.LookupError.unreadableManifest(path:)` for a manifest that is
    ///   not Django's format, `IntegrityIndex.ReadError` for an integrity file that is not ours,
    ///   ``SettingsError`` when a hashing storage has no `STATIC_ROOT`.
    public init(settings: WhiteNoiseSettings) throws {
        baseURL = settings.staticBaseURL
        strict = settings.manifestStrict
        hashesNames = settings.storage.hashes
        if settings.storage.hashes, !settings.debug {
            guard let root = settings.staticRoot else {
                throw SettingsError(file: settings.settingsFile ?? "settings", key: "STATIC_ROOT",
                                    problem: "is not set, but STORAGE=\(settings.storage.rawValue) reads its manifest from it")
            }
            manifest = try StaticManifest(root: root)
        } else {
            manifest = nil
        }
        integrityRoot = settings.debug ? nil : settings.staticRoot
        integrityIndex = try integrityRoot.flatMap { root throws in try IntegrityIndex.read(root: root) }
        importMap = ImportMap(urls: self, moduleFolders: settings.importMapFolders)
    }

    /// The URL for `name` (e.g. `css/app.css` → `/static/css/app.3f1a9c0b7d2e.css`).
    /// - Throws: `StaticManifest.LookupError.missingEntry(_:)` in strict mode when the
    ///   manifest has no entry for the name (run collectstatic, or fix the name).
    public func url(for name: String) throws -> String {
        guard hashesNames else { return storageURL(name) }
        // ManifestFilesMixin._url
        var hashedName = name
        var fragment = ""
        if let manifest {
            let (clean, frag) = PythonURL.urldefrag(name)
            fragment = frag
            if !PythonURL.urlsplit(clean).path.hasSuffix("/") {
                hashedName = try manifest.storedName(clean, strict: strict)
            }
        }
        return PythonURL.manifestURL(base: baseURL, hashedName: hashedName, originalName: name, fragment: fragment)
    }

    /// The URL for `name` without consulting the manifest (what `DEBUG` gives).
    public func unhashedURL(for name: String) -> String {
        hashesNames ? PythonURL.unquote(storageURL(name)) : storageURL(name)
    }

    /// `FileSystemStorage.url`.
    private func storageURL(_ name: String) -> String { PythonURL.storageURL(base: baseURL, name: name) }
}
