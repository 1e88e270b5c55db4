import Configuration
public import Foundation
import WhiteNoise

extension WhiteNoiseSettings {
    /// Every key a settings file may hold (Docs/settings.md), each overridable by an environment
    /// variable of the same name.
    public static let keys = [
        "DEBUG", "STATIC_URL", "STATIC_ROOT", "STATICFILES_DIRS", "STORAGE", "FORCE_SCRIPT_NAME",
        "WHITENOISE_ROOT", "WHITENOISE_MAX_AGE", "WHITENOISE_AUTOREFRESH", "WHITENOISE_USE_FINDERS",
        "WHITENOISE_INDEX_FILE", "WHITENOISE_MIMETYPES", "WHITENOISE_CHARSET", "WHITENOISE_ALLOW_ALL_ORIGINS",
        "WHITENOISE_IMMUTABLE_FILE_TEST", "WHITENOISE_SKIP_COMPRESS_EXTENSIONS",
        "WHITENOISE_KEEP_ONLY_HASHED_FILES", "WHITENOISE_DJANGO_COMPATIBILITY", "WHITENOISE_IMPORT_MAP_FOLDERS",
        "WHITENOISE_CACHE_DIR", "WHITENOISE_CACHE_MAX_SIZE",
        "WHITENOISE_MANIFEST_STRICT", "WHITENOISE_STATIC_PREFIX",
    ]

    /// The keys whose value is a list (comma-separated in env files and variables).
    static let listKeys: Set = ["STATICFILES_DIRS", "WHITENOISE_MIMETYPES", "WHITENOISE_SKIP_COMPRESS_EXTENSIONS",
                                "WHITENOISE_IMPORT_MAP_FOLDERS"]

    /// The environment variable that names the settings file when none is given.
    public static let settingsFileVariable = "WHITENOISE_SETTINGS"

    /// Loads settings from `file` (a `KEY=value` env file, or `.json`/`.yaml`/`.yml`), then
    /// applies environment variables of the same names, then `overrides` (e.g. CLI flags),
    /// through swift-configuration's providers (first hit wins: overrides, environment, file).
    ///
    /// Relative paths in the file resolve against the file's folder; relative paths from the
    /// environment or overrides against the current directory.
    /// - Throws: ``SettingsError`` naming the file (or variable), key, value and what is valid.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                            overrides: [String: String] = [:]) throws(SettingsError) -> WhiteNoiseSettings {
        let file = file.map { LexicalPath.absolute($0) }
        let entries = try file.map { path throws(SettingsError) in try SettingsFile.read(path: path) } ?? []
        var fileValues: [AbsoluteConfigKey: ConfigValue] = [:]
        var lines: [String: Int] = [:]
        for entry in entries {
            try checkKnown(entry.key, source: file!, line: entry.line)
            lines[entry.key] = entry.line
            fileValues[AbsoluteConfigKey([entry.key])] = try configValue(entry.key, entry.value, file: file!, line: entry.line)
        }
        for key in overrides.keys { try checkKnown(key, source: "command line", line: nil) }
        let known = Set(keys)
        let reader = ConfigReader(providers: [
            InMemoryProvider(name: "overrides", values: Dictionary(uniqueKeysWithValues: overrides.map { key, value in
                (AbsoluteConfigKey([key]), listKeys.contains(key) ? ConfigValue(.stringArray(splitList(value)), isSecret: false)
                    : ConfigValue(.string(value), isSecret: false))
            })),
            EnvironmentVariablesProvider(environmentVariables: environment.filter { known.contains($0.key) }),
            InMemoryProvider(name: file ?? "settings", values: fileValues),
        ])
        var reading = SettingsReading(reader: reader, file: file, lines: lines, overrides: overrides, environment: environment)
        var settings = WhiteNoiseSettings()
        settings.settingsFile = file
        try reading.apply(to: &settings)
        return settings
    }

    /// Loads the settings file named by `WHITENOISE_SETTINGS`, else `settings.env` in the
    /// current directory if there is one, else only the environment.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SettingsError) -> WhiteNoiseSettings {
        if let named = environment[settingsFileVariable], !named.isEmpty { return try load(file: named, environment: environment) }
        let local = FileManager.default.currentDirectoryPath + "/settings.env"
        return try load(file: FileManager.default.fileExists(atPath: local) ? local : nil, environment: environment)
    }

    private static func checkKnown(_ key: String, source: String, line: Int?) throws(SettingsError) {
        guard !keys.contains(key) else { return }
        var problem = "unknown setting"
        if let suggestion = Suggestion.closest(to: key, among: keys) { problem += "; did you mean \(suggestion)?" }
        problem += " (known settings: \(keys.joined(separator: ", ")))"
        throw SettingsError(file: source, line: line, key: key, problem: problem)
    }

    private static func configValue(_ key: String, _ raw: RawSetting, file: String, line: Int?) throws(SettingsError) -> ConfigValue {
        switch (raw, listKeys.contains(key)) {
        case (.null, true): return ConfigValue(.stringArray([]), isSecret: false)
        case (.null, false): return ConfigValue(.string(""), isSecret: false)
        case (.text(let text), true): return ConfigValue(.stringArray(splitList(text)), isSecret: false)
        case (.text(let text), false): return ConfigValue(.string(text), isSecret: false)
        case (.list(let items), true): return ConfigValue(.stringArray(items), isSecret: false)
        case (.list(let items), false):
            throw SettingsError(file: file, line: line, key: key, value: items.joined(separator: ","), problem: "expected a single value, not a list")
        }
    }

    static func splitList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
