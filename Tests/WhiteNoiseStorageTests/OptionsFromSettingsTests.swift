import Testing
import WhiteNoise
import WhiteNoiseSettings
import WhiteNoiseStorage

/// The one mapping from settings to a collectstatic run (the CLI's flags are overrides of it).
@Suite struct OptionsFromSettingsTests {
    @Test func everyCollectstaticSettingReachesTheRun() throws {
        let settings = try WhiteNoiseSettings.load(file: nil, environment: [:], overrides: [
            "STATIC_ROOT": "/srv/site/static",
            "STATICFILES_DIRS": "/src/assets, vendor=/src/vendor",
            "STORAGE": "ManifestStaticFilesStorage",
            "STATIC_URL": "https://cdn.example.com/s/",
            "WHITENOISE_KEEP_ONLY_HASHED_FILES": "true",
            "WHITENOISE_SKIP_COMPRESS_EXTENSIONS": "png, .woff2",
            "WHITENOISE_DJANGO_COMPATIBILITY": "5.2",
            "WHITENOISE_CACHE_DIR": "/var/cache/wn",
            "WHITENOISE_CACHE_MAX_SIZE": "1GiB",
        ])
        let options = try CollectStaticOptions(settings: settings, environment: [:])
        #expect(options.staticRoot == "/srv/site/static")
        #expect(options.sources == [SourceDirectory(path: "/src/assets"), SourceDirectory(prefix: "vendor", path: "/src/vendor")])
        #expect(options.storage == .manifest)
        #expect(options.staticURL == "https://cdn.example.com/s/")
        #expect(options.keepOnlyHashedFiles)
        #expect(options.skipCompressExtensions == ["png", "woff2"])
        #expect(options.djangoCompatibility == .django52)
        #expect(options.compressionCache?.directory == "/var/cache/wn")
        #expect(options.compressionCache?.maxSize == 1 << 30)
    }

    @Test func unsetKeysKeepTheCollectstaticDefaults() throws {
        let settings = try WhiteNoiseSettings.load(file: nil, environment: [:], overrides: ["STATIC_ROOT": "/srv/static"])
        let options = try CollectStaticOptions(settings: settings, environment: ["XDG_CACHE_HOME": "/xdg"])
        let defaults = CollectStaticOptions(staticRoot: "/srv/static", sources: [])
        #expect(options.storage == .compressedManifest)  // WhiteNoise's recommended storage, not Django's plain default
        #expect(options.staticURL == defaults.staticURL && options.skipCompressExtensions == defaults.skipCompressExtensions)
        #expect(options.djangoCompatibility == .django61 && !options.keepOnlyHashedFiles)
        #expect(options.compressionCache?.directory == "/xdg/whitenoise")
        let off = try WhiteNoiseSettings.load(file: nil, environment: [:], overrides: ["STATIC_ROOT": "/r", "WHITENOISE_CACHE_DIR": "off"])
        #expect(try CollectStaticOptions(settings: off).compressionCache == nil)
    }

    @Test func withoutStaticRootTheErrorNamesTheKey() throws {
        let error = try #require(throws: SettingsError.self) { try CollectStaticOptions(settings: WhiteNoiseSettings()) }
        #expect(error.key == "STATIC_ROOT")
    }
}
