public import WhiteNoise
public import Foundation
// Django's types are part of this module's API (`storage`, `djangoCompatibility`, StaticManifest's errors).
@_exported public import WhiteNoiseDjango

/// The Django-like settings an app's static files are configured by (Docs/settings.md).
///
/// Load them from a settings file (``load(file:environment:overrides:)``): every key can be
/// overridden by an environment variable of the same name. Or set them in code. Defaults
/// follow WhiteNoise's Django integration: `DEBUG` turns on autorefresh and finders and sets
/// max-age to 0. See `Docs/settings.md` for every key.
public struct WhiteNoiseSettings: Sendable, Equatable {
    /// `WHITENOISE_MAX_AGE`: the `max-age` of files that are not immutable.
    public enum MaxAge: Sendable, Equatable {
        /// 0 when `DEBUG`, else 60 (WhiteNoise's default).
        case automatic
        /// Send no `Cache-Control` for files that are not immutable.
        case none
        /// `Cache-Control: max-age=<n>, public`.
        case seconds(Int)
    }

    /// A `STATICFILES_DIRS` entry: a folder, optionally under a prefix (Django's tuples).
    public typealias SourceDirectory = WhiteNoise.SourceDirectory

    /// `DEBUG`: development mode (autorefresh, finders, max-age 0, unhashed URLs).
    public var debug = false
    /// `STATIC_URL`: a path (`/static/`) or an absolute CDN URL; ends with `/`.
    public var staticURL = "/static/"
    /// `STATIC_ROOT`: where `collectstatic` writes and what production serves.
    public var staticRoot: String?
    /// `STATICFILES_DIRS`: the source folders, in order (the first wins for a path).
    public var staticfilesDirs: [SourceDirectory] = []
    /// `STORAGE`: how `collectstatic` stores files (Django's default: `StaticFilesStorage`).
    public var storage: StorageKind = .staticFiles
    /// `FORCE_SCRIPT_NAME`: the path the app is mounted under, if not `/`.
    public var forceScriptName: String?
    /// `WHITENOISE_ROOT`: a folder served at `/` (robots.txt, favicon.ico).
    public var root: String?
    /// `WHITENOISE_MAX_AGE`. Unlike the engine's `maxAge` (seconds, or `nil` for no
    /// `Cache-Control`) it has a third state, `automatic` (60 s, 0 under `DEBUG`, as
    /// WhiteNoise), which ``effectiveMaxAge`` resolves to the engine's type.
    public var maxAge: MaxAge = .automatic
    /// `WHITENOISE_AUTOREFRESH` (`nil`: follows `DEBUG`).
    public var autorefresh: Bool?
    /// `WHITENOISE_USE_FINDERS` (`nil`: follows `DEBUG`): serve `STATICFILES_DIRS` directly.
    public var useFinders: Bool?
    /// `WHITENOISE_INDEX_FILE`: the index file name, or `nil` for none (`true` means `index.html`).
    public var indexFile: String?
    /// `WHITENOISE_MIMETYPES`: extension (`.foo`) or whole file name → media type.
    public var mimeTypes: [String: String] = [:]
    /// `WHITENOISE_CHARSET`, the engine's `charset`: appended to `text/*` types (`nil`, from an empty value: none).
    public var charset: String? = "utf-8"
    /// `WHITENOISE_ALLOW_ALL_ORIGINS`: `Access-Control-Allow-Origin: *`.
    public var allowAllOrigins = true
    /// `WHITENOISE_IMMUTABLE_FILE_TEST`: a regular expression on the URL that replaces the
    /// manifest test (`nil`: files the manifest lists as hashed are immutable).
    public var immutableFileTest: String?
    /// `WHITENOISE_SKIP_COMPRESS_EXTENSIONS` (`nil`: WhiteNoise's list plus modern formats).
    public var skipCompressExtensions: [String]?
    /// `WHITENOISE_KEEP_ONLY_HASHED_FILES`: delete unhashed originals after `collectstatic`.
    public var keepOnlyHashedFiles = false
    /// `WHITENOISE_DJANGO_COMPATIBILITY`: which Django's hashed output `collectstatic` matches
    /// (`6.1`, the default, or `5.2`).
    public var djangoCompatibility = DjangoCompatibility.default
    /// `WHITENOISE_CACHE_DIR`: the shared compression cache `collectstatic` uses.
    public enum CompressionCacheLocation: Sendable, Equatable {
        /// `$XDG_CACHE_HOME/whitenoise`, else `~/.cache/whitenoise` (the default).
        case automatic
        /// No cache (`off`).
        case off
        /// This folder.
        case directory(String)
    }

    /// `WHITENOISE_CACHE_DIR`.
    public var compressionCache = CompressionCacheLocation.automatic
    /// `WHITENOISE_CACHE_MAX_SIZE`: the cache's size bound in bytes (default 2 GiB).
    public var compressionCacheMaxSize: Int64 = 2 << 30

    /// The compression cache's folder, or `nil` when it is off.
    public func compressionCacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        switch compressionCache {
        case .off: return nil
        case .directory(let path): return path
        case .automatic:
            if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/whitenoise" }
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
            return home + "/.cache/whitenoise"
        }
    }

    /// `WHITENOISE_IMPORT_MAP_FOLDERS`: the folders (relative to `STATIC_ROOT`) whose `.js`
    /// files the import map lists; empty: every `.js` (`.mjs` files are always listed).
    public var importMapFolders: [String] = []
    /// `WHITENOISE_MANIFEST_STRICT`: a name missing from the manifest is an error.
    public var manifestStrict = true
    /// `WHITENOISE_STATIC_PREFIX` (`nil`: the path of `STATIC_URL` without `FORCE_SCRIPT_NAME`).
    public var staticPrefixOverride: String?
    /// The settings file these settings came from, for messages (`nil` when built in code).
    public var settingsFile: String?
    /// The keys that were given a value (by the file, the environment or an override), for
    /// tools whose own default differs from Django's (e.g. the CLI's storage).
    public var configuredKeys: Set<String> = []

    /// Default settings (Django's defaults with `STATIC_URL = "/static/"`).
    public init() {}

    // MARK: effective values

    /// Whether files are looked up per request.
    public var effectiveAutorefresh: Bool { autorefresh ?? debug }
    /// Whether `STATICFILES_DIRS` are served directly.
    public var effectiveUseFinders: Bool { useFinders ?? debug }
    /// The `max-age` for files that are not immutable (`nil`: no `Cache-Control`).
    public var effectiveMaxAge: Int? {
        switch maxAge {
        case .automatic: return debug ? 0 : 60
        case .none: return nil
        case .seconds(let n): return n
        }
    }

    /// `STATIC_URL` as Django uses it: a relative value (`static/`) is put under the script
    /// prefix (`FORCE_SCRIPT_NAME`, or `/`).
    public var staticBaseURL: String {
        if staticURL.hasPrefix("/") || staticURL.hasPrefix("http://") || staticURL.hasPrefix("https://") { return staticURL }
        var scriptPrefix = forceScriptName ?? "/"
        if !scriptPrefix.hasSuffix("/") { scriptPrefix += "/" }
        return scriptPrefix + staticURL
    }

    /// The URL path `STATIC_ROOT` is served at: `WHITENOISE_STATIC_PREFIX`, or the path of
    /// `STATIC_URL` (a CDN's host dropped) without the `FORCE_SCRIPT_NAME` prefix, as `/x/`.
    public var staticPrefix: String {
        var prefix: String
        if let staticPrefixOverride {
            prefix = staticPrefixOverride
        } else {
            prefix = PythonURL.urlsplit(staticBaseURL).path
            if let script = forceScriptName {
                let trimmed = String(script.reversed().drop(while: { $0 == "/" }).reversed())
                if !trimmed.isEmpty, prefix.hasPrefix(trimmed) { prefix = String(prefix.dropFirst(trimmed.count)) }
            }
        }
        return StaticFiles.normalisePrefix(prefix)
    }
}
