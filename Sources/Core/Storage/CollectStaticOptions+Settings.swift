public import Foundation
public import WhiteNoiseSettings

extension CollectStaticOptions {
    /// The run the settings describe: the one mapping from settings to `collectstatic`, shared
    /// by the `whitenoise collectstatic` command (whose flags are settings overrides) and by
    /// apps that collect at start-up. It reads `STATIC_ROOT`, `STATICFILES_DIRS`, `STORAGE`
    /// (when set; otherwise `CompressedManifestStaticFilesStorage`, WhiteNoise's recommended
    /// storage, rather than Django's plain default), `STATIC_URL`,
    /// `WHITENOISE_KEEP_ONLY_HASHED_FILES`, `WHITENOISE_SKIP_COMPRESS_EXTENSIONS`,
    /// `WHITENOISE_DJANGO_COMPATIBILITY`, `WHITENOISE_CACHE_DIR` and `WHITENOISE_CACHE_MAX_SIZE`.
    /// What only a command line says (`--clear`, `--dry-run`, ignore patterns, …) keeps its
    /// default.
    ///
    /// - Parameters:
    ///   - settings: the app's settings, usually from `WhiteNoiseSettings.load(file:environment:overrides:)`.
    ///   - environment: where the cache's default folder comes from (`XDG_CACHE_HOME`, `HOME`).
    /// - Throws: `SettingsError` when `STATIC_ROOT` is not set.
    public init(settings: WhiteNoiseSettings,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws(SettingsError) {
        guard let root = settings.staticRoot else {
            throw SettingsError(file: settings.settingsFile ?? "settings", key: "STATIC_ROOT",
                                problem: "is not set: collectstatic needs the folder to collect into")
        }
        self.init(staticRoot: root, sources: settings.staticfilesDirs)
        if settings.configuredKeys.contains("STORAGE") { storage = settings.storage }
        staticURL = settings.staticBaseURL
        keepOnlyHashedFiles = settings.keepOnlyHashedFiles
        if let skip = settings.skipCompressExtensions { skipCompressExtensions = skip }
        djangoCompatibility = settings.djangoCompatibility
        compressionCache = settings.compressionCacheDirectory(environment: environment).map {
            CompressionCache(directory: $0, maxSize: settings.compressionCacheMaxSize)
        }
    }
}
