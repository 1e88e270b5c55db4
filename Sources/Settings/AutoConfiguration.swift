public import Logging
public import WhiteNoise

extension StaticFilesConfiguration {
    /// The engine options the settings ask for, as WhiteNoise's Django middleware sets them.
    public init(settings: WhiteNoiseSettings) {
        self.init()
        maxAge = settings.effectiveMaxAge
        allowAllOrigins = settings.allowAllOrigins
        charset = settings.charset
        mimeTypes = settings.mimeTypes
        indexFile = settings.indexFile
        autorefresh = settings.effectiveAutorefresh
        if let regex = settings.immutableFileTest {
            // As WhiteNoise: the setting replaces the manifest test.
            immutableFileTest = .regex(regex)
            useManifest = false
        } else {
            // In DEBUG, URLs are unhashed, so nothing is immutable (as Django's storage.url).
            useManifest = !settings.debug && settings.storage.hashes
        }
    }
}

extension StaticFiles {
    /// An engine configured from settings, as WhiteNoise's Django middleware configures itself:
    /// `STATIC_ROOT` at the path of `STATIC_URL` (``WhiteNoiseSettings/staticPrefix``),
    /// `WHITENOISE_ROOT` at `/`, and with finders (`DEBUG`, or `WHITENOISE_USE_FINDERS`) each
    /// `STATICFILES_DIRS` folder at the static prefix (plus its own prefix), served straight
    /// from the source folders, the first folder winning for a path, and winning over
    /// `STATIC_ROOT`. Hashed names in the manifest are immutable unless
    /// `WHITENOISE_IMMUTABLE_FILE_TEST` says otherwise.
    ///
    /// - Parameters:
    ///   - settings: the settings to serve, usually from ``WhiteNoiseSettings/load(file:environment:overrides:)``.
    ///   - logger: receives the engine's messages (a missing root, files skipped by the scan).
    ///   - adjust: changes options that have no setting (e.g. `addHeaders`,
    ///     `allowUnsafeSymlinks`, the memory budget) before the files are scanned.
    /// - Throws: ``SettingsError`` when nothing could be served: no `STATIC_ROOT` in production
    ///   (no `DEBUG`, no finders) is a mistake, not an empty site.
    public init(settings: WhiteNoiseSettings, logger: Logger = Logger(label: "whitenoise"),
                adjust: (inout StaticFilesConfiguration) -> Void = { _ in }) throws {
        var configuration = StaticFilesConfiguration(settings: settings)
        adjust(&configuration)
        if settings.staticRoot == nil, !settings.effectiveUseFinders {
            throw SettingsError(
                file: settings.settingsFile ?? "settings", key: "STATIC_ROOT",
                problem: "is not set, and DEBUG and WHITENOISE_USE_FINDERS are off: set STATIC_ROOT to the folder "
                    + "`whitenoise collectstatic` writes (or DEBUG=true to serve STATICFILES_DIRS directly)")
        }
        self = try StaticFiles(configuration: configuration, logger: logger)
        let prefix = settings.staticPrefix
        if let staticRoot = settings.staticRoot { addFiles(root: staticRoot, prefix: prefix) }
        if let root = settings.root { addFiles(root: root, prefix: "/") }
        if settings.effectiveUseFinders {
            // A later call wins, and Django's finders let the first folder win: add in reverse.
            for dir in settings.staticfilesDirs.reversed() {
                addFiles(root: dir.path, prefix: dir.prefix.isEmpty ? prefix : prefix + dir.prefix)
            }
        }
    }
}
