import Foundation
import Testing
import WhiteNoise
import WhiteNoiseSettings
import WhiteNoiseTestSupport

/// Loading settings files (env, JSON, YAML), environment overrides and the errors.
@Suite struct SettingsFileTests {
    func load(_ name: String, _ text: String, environment: [String: String] = [:], overrides: [String: String] = [:])
        throws -> (WhiteNoiseSettings, TempTree)
    {
        let tree = try TempTree()
        try tree.write("conf/" + name, text)
        return (try WhiteNoiseSettings.load(file: tree.root + "/conf/" + name, environment: environment, overrides: overrides), tree)
    }

    func error(_ name: String, _ text: String, environment: [String: String] = [:]) throws -> SettingsError {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write(name, text)
        do {
            _ = try WhiteNoiseSettings.load(file: tree.root + "/" + name, environment: environment)
        } catch {
            return error
        }
        Issue.record("no error for \(text)")
        return SettingsError(file: "", problem: "")
    }

    @Test func envFileWithEveryKeyQuotesCommentsAndRelativePaths() throws {
        let (s, tree) = try load("settings.env", """
            # Django-like settings
            export DEBUG=no
            STATIC_URL="https://cdn.example.com/static/"
            STATIC_ROOT=staticfiles
            STATICFILES_DIRS=assets, vendor=../third_party  # two sources
            STORAGE='whitenoise.storage.CompressedManifestStaticFilesStorage'
            FORCE_SCRIPT_NAME=/app
            WHITENOISE_ROOT=public
            WHITENOISE_MAX_AGE=3600
            WHITENOISE_AUTOREFRESH=false
            WHITENOISE_USE_FINDERS=off
            WHITENOISE_INDEX_FILE=true
            WHITENOISE_MIMETYPES=.foo=text/x-foo, apple-app-site-association=application/json
            WHITENOISE_CHARSET=latin-1
            WHITENOISE_ALLOW_ALL_ORIGINS=0
            WHITENOISE_IMMUTABLE_FILE_TEST="^.+\\\\.[0-9a-f]{8}\\\\..+$"
            WHITENOISE_SKIP_COMPRESS_EXTENSIONS=.jpg,png
            WHITENOISE_KEEP_ONLY_HASHED_FILES=yes
            WHITENOISE_DJANGO_COMPATIBILITY=5.2
            WHITENOISE_CACHE_DIR=build-cache
            WHITENOISE_CACHE_MAX_SIZE=500MiB
            WHITENOISE_IMPORT_MAP_FOLDERS=js/modules/, vendor
            WHITENOISE_MANIFEST_STRICT=False
            WHITENOISE_STATIC_PREFIX=/assets/
            """)
        defer { tree.remove() }
        let conf = tree.root + "/conf"
        #expect(s.debug == false)
        #expect(s.staticURL == "https://cdn.example.com/static/")
        #expect(s.staticRoot == conf + "/staticfiles")
        #expect(s.staticfilesDirs == [.init(path: conf + "/assets"), .init(prefix: "vendor", path: tree.root + "/third_party")])
        #expect(s.storage == .compressedManifest)
        #expect(s.forceScriptName == "/app")
        #expect(s.root == conf + "/public")
        #expect(s.effectiveMaxAge == 3600)
        #expect(s.effectiveAutorefresh == false && s.effectiveUseFinders == false)
        #expect(s.indexFile == "index.html")
        #expect(s.mimeTypes == [".foo": "text/x-foo", "apple-app-site-association": "application/json"])
        #expect(s.charset == "latin-1")
        #expect(s.allowAllOrigins == false)
        #expect(s.immutableFileTest == "^.+\\.[0-9a-f]{8}\\..+$")
        #expect(s.skipCompressExtensions == ["jpg", "png"])
        #expect(s.keepOnlyHashedFiles && !s.manifestStrict)
        #expect(s.djangoCompatibility == .django52)
        #expect(s.compressionCache == .directory(conf + "/build-cache") && s.compressionCacheDirectory() == conf + "/build-cache")
        #expect(s.compressionCacheMaxSize == 500 << 20)
        #expect(s.importMapFolders == ["js/modules", "vendor"])
        #expect(s.staticPrefix == "/assets/")
    }

    @Test func theCompressionCacheDefaultsToTheUsersCacheFolder() throws {
        var s = WhiteNoiseSettings()
        #expect(s.compressionCacheDirectory(environment: ["HOME": "/home/u"]) == "/home/u/.cache/whitenoise")
        #expect(s.compressionCacheDirectory(environment: ["HOME": "/home/u", "XDG_CACHE_HOME": "/var/cache/ci"]) == "/var/cache/ci/whitenoise")
        #expect(s.compressionCacheMaxSize == 2 << 30)
        s.compressionCache = .off
        #expect(s.compressionCacheDirectory(environment: ["HOME": "/home/u"]) == nil)
        let (off, tree) = try load("settings.env", "WHITENOISE_CACHE_DIR=off\nWHITENOISE_CACHE_MAX_SIZE=1048576\n")
        defer { tree.remove() }
        #expect(off.compressionCache == .off && off.compressionCacheMaxSize == 1 << 20)
    }

    @Test func defaultsFollowDebugAsWhiteNoiseDoes() throws {
        let (production, t1) = try load("settings.env", "STATIC_ROOT=out\n")
        defer { t1.remove() }
        #expect(production.effectiveMaxAge == 60 && !production.effectiveAutorefresh && !production.effectiveUseFinders)
        #expect(production.staticURL == "/static/" && production.staticPrefix == "/static/" && production.storage == .staticFiles)
        #expect(production.allowAllOrigins && production.charset == "utf-8" && production.manifestStrict && production.indexFile == nil)
        let (debug, t2) = try load("settings.env", "DEBUG=true\n")
        defer { t2.remove() }
        #expect(debug.effectiveMaxAge == 0 && debug.effectiveAutorefresh && debug.effectiveUseFinders)
        let (none, t3) = try load("settings.env", "WHITENOISE_MAX_AGE=none\n")
        defer { t3.remove() }
        #expect(none.effectiveMaxAge == nil)
    }

    @Test func environmentOverridesTheFileAndOverridesWinOverBoth() throws {
        let text = "STATIC_ROOT=from-file\nWHITENOISE_MAX_AGE=10\nSTATICFILES_DIRS=a\n"
        let environment = ["WHITENOISE_MAX_AGE": "20", "STATICFILES_DIRS": "/x,/y", "UNRELATED_VARIABLE": "ignored"]
        let (s, tree) = try load("settings.env", text, environment: environment, overrides: ["STATIC_ROOT": "/abs/root"])
        defer { tree.remove() }
        #expect(s.staticRoot == "/abs/root")
        #expect(s.effectiveMaxAge == 20)
        #expect(s.staticfilesDirs.map(\.path) == ["/x", "/y"])
        // A relative path from the environment resolves against the current directory.
        let (s2, t2) = try load("settings.env", text, environment: ["STATIC_ROOT": "rel"])
        defer { t2.remove() }
        #expect(s2.staticRoot == FileManager.default.currentDirectoryPath + "/rel")
    }

    @Test func jsonAndYamlFiles() throws {
        let json = """
            {"DEBUG": false, "STATIC_ROOT": "out", "STATICFILES_DIRS": ["assets", ["vendor", "/v"]],
             "WHITENOISE_MAX_AGE": 1, "WHITENOISE_MIMETYPES": {".foo": "text/x-foo"}, "WHITENOISE_INDEX_FILE": null,
             "WHITENOISE_ALLOW_ALL_ORIGINS": true}
            """
        let (j, t1) = try load("settings.json", json)
        defer { t1.remove() }
        #expect(j.staticRoot == t1.root + "/conf/out")
        #expect(j.staticfilesDirs == [.init(path: t1.root + "/conf/assets"), .init(prefix: "vendor", path: "/v")])
        #expect(j.effectiveMaxAge == 1 && j.mimeTypes == [".foo": "text/x-foo"] && j.indexFile == nil && j.allowAllOrigins)
        let yaml = """
            DEBUG: true
            STATIC_URL: static/
            FORCE_SCRIPT_NAME: /sub
            STATICFILES_DIRS:
              - assets
              - [img, pictures]
            WHITENOISE_MAX_AGE: 5
            """
        let (y, t2) = try load("settings.yaml", yaml)
        defer { t2.remove() }
        #expect(y.debug && y.effectiveMaxAge == 5)
        #expect(y.staticBaseURL == "/sub/static/" && y.staticPrefix == "/static/")
        #expect(y.staticfilesDirs == [.init(path: t2.root + "/conf/assets"), .init(prefix: "img", path: t2.root + "/conf/pictures")])
    }

    @Test func unknownKeySuggestsTheClosest() throws {
        let e = try error("settings.env", "STATIC_ROOT=x\nWHITENOISE_MAX_AEG=10\n")
        #expect(e.key == "WHITENOISE_MAX_AEG" && e.line == 2 && e.file.hasSuffix("/settings.env"))
        #expect(e.description.contains("did you mean WHITENOISE_MAX_AGE?"))
        let j = try error("settings.json", "{\"STATICFILE_DIRS\": []}")
        #expect(j.description.contains("did you mean STATICFILES_DIRS?"))
    }

    @Test func wrongTypesAndBadValuesNameFileKeyValueAndWhatIsValid() throws {
        let cases: [(String, String, String)] = [
            ("DEBUG=maybe\n", "DEBUG", "expected true or false"),
            ("WHITENOISE_MAX_AGE=soon\n", "WHITENOISE_MAX_AGE", "whole number of seconds"),
            ("WHITENOISE_MAX_AGE=-1\n", "WHITENOISE_MAX_AGE", "whole number of seconds"),
            ("STORAGE=S3Storage\n", "STORAGE", "CompressedManifestStaticFilesStorage"),
            ("WHITENOISE_IMMUTABLE_FILE_TEST=([a-f\n", "WHITENOISE_IMMUTABLE_FILE_TEST", "not a valid regular expression"),
            ("STATIC_URL=/static\n", "STATIC_URL", "must end with a slash"),
            ("WHITENOISE_MIMETYPES=foo\n", "WHITENOISE_MIMETYPES", ".extension=type"),
            ("WHITENOISE_INDEX_FILE=a/b.html\n", "WHITENOISE_INDEX_FILE", "file name"),
            ("WHITENOISE_DJANGO_COMPATIBILITY=4.2\n", "WHITENOISE_DJANGO_COMPATIBILITY", "5.2 or 6.1"),
            ("WHITENOISE_CACHE_MAX_SIZE=lots\n", "WHITENOISE_CACHE_MAX_SIZE", "2GiB"),
            ("WHITENOISE_CACHE_MAX_SIZE=2PB\n", "WHITENOISE_CACHE_MAX_SIZE", "2GiB"),
            ("WHITENOISE_IMPORT_MAP_FOLDERS=../js\n", "WHITENOISE_IMPORT_MAP_FOLDERS", "relative to STATIC_ROOT"),
        ]
        for (text, key, valid) in cases {
            let e = try error("settings.env", text)
            #expect(e.key == key, "\(text)")
            #expect(e.line == 1)
            #expect(e.value != nil && text.contains(e.value!), "\(text)")
            #expect(e.description.contains(valid), "\(e)")
        }
        let list = try error("settings.json", "{\"STATIC_ROOT\": [\"a\"]}")
        #expect(list.key == "STATIC_ROOT" && list.problem.contains("not a list"))
        // A bad value from the environment names the variable, not the file.
        let env = try error("settings.env", "STATIC_ROOT=x\n", environment: ["DEBUG": "sure"])
        #expect(env.file == "environment variable DEBUG" && env.value == "sure")
    }

    @Test func syntaxErrorsAndMissingFiles() throws {
        #expect(try error("settings.env", "STATIC_ROOT\n").description.contains("expected KEY=value"))
        #expect(try error("settings.env", "STATIC_ROOT=\"open\n").description.contains("no closing"))
        #expect(try error("settings.json", "{nope").description.contains("not valid JSON"))
        #expect(try error("settings.yaml", "a: [b").description.contains("not valid YAML"))
        #expect(throws: SettingsError.self) { try WhiteNoiseSettings.load(file: "/nonexistent/settings.env", environment: [:]) }
    }

    @Test func missingStaticRootInProductionIsAnError() throws {
        let (s, tree) = try load("settings.env", "STATIC_URL=/static/\n")
        defer { tree.remove() }
        do {
            _ = try StaticFiles(settings: s)
            Issue.record("no error")
        } catch let e as SettingsError {
            #expect(e.key == "STATIC_ROOT" && e.file.hasSuffix("settings.env") && e.problem.contains("DEBUG"))
        }
    }
}
