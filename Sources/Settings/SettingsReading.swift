import Configuration
import Foundation
import WhiteNoise
import WhiteNoiseDjango

/// Reads each key through the provider stack and turns its text into a typed setting, with
/// errors that say where the winning value came from.
struct SettingsReading {
    let reader: ConfigReader
    let file: String?
    let lines: [String: Int]
    let overrides: [String: String]
    let environment: [String: String]

    /// Where `key`'s value comes from, and the folder its relative paths resolve against.
    private func source(_ key: String) -> (name: String, line: Int?, base: String) {
        let cwd = FileManager.default.currentDirectoryPath
        if overrides[key] != nil { return ("command line", nil, cwd) }
        if environment[key] != nil { return ("environment variable \(key)", nil, cwd) }
        let folder = file.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? cwd
        return (file ?? "settings", lines[key], folder)
    }

    private func fail(_ key: String, _ value: String, _ problem: String) -> SettingsError {
        let s = source(key)
        return SettingsError(file: s.name, line: s.line, key: key, value: value, problem: problem)
    }

    /// Keys that had a value from some source, for callers whose own default differs.
    private(set) var configured: Set<String> = []

    private mutating func text(_ key: String) -> String? {
        let value = reader.string(forKey: ConfigKey([key]))
        if value != nil { configured.insert(key) }
        return value
    }

    /// A list without empty items (an empty variable or value is an empty list).
    private mutating func list(_ key: String) -> [String]? {
        let value = reader.stringArray(forKey: ConfigKey([key]))?.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if value != nil { configured.insert(key) }
        return value
    }

    private mutating func bool(_ key: String) throws(SettingsError) -> Bool? {
        guard let value = text(key) else { return nil }
        switch value.lowercased() {
        case "": return nil
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw fail(key, value, "expected true or false (also yes/no, on/off, 1/0)")
        }
    }

    private mutating func path(_ key: String) throws(SettingsError) -> String? {
        guard let value = text(key), !value.isEmpty else { return nil }
        return absolute(value, key: key)
    }

    private func absolute(_ value: String, key: String) -> String {
        let expanded = (value as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return LexicalPath.absolute(expanded) }
        return LexicalPath.absolute(source(key).base + "/" + expanded)
    }

    mutating func apply(to s: inout WhiteNoiseSettings) throws(SettingsError) {
        s.debug = try bool("DEBUG") ?? false
        if let url = text("STATIC_URL") {
            guard !url.isEmpty, url.hasSuffix("/") else {
                throw fail("STATIC_URL", url, "must end with a slash, e.g. /static/ or https://cdn.example.com/static/")
            }
            s.staticURL = url
        }
        s.staticRoot = try path("STATIC_ROOT")
        for item in list("STATICFILES_DIRS") ?? [] {
            guard let entry = SourceDirectory(entry: item) else {
                throw fail("STATICFILES_DIRS", item, "an entry must be a folder, or prefix=folder")
            }
            s.staticfilesDirs.append(.init(prefix: entry.prefix, path: absolute(entry.path, key: "STATICFILES_DIRS")))
        }
        s.storage = try parsed("STORAGE", StorageKind.init(name:)) {
            "unknown storage; valid: \(StorageKind.allCases.map(\.rawValue).joined(separator: ", ")) (or Django's/WhiteNoise's dotted names)"
        } ?? s.storage
        s.forceScriptName = try parsed("FORCE_SCRIPT_NAME", { $0.hasPrefix("/") ? $0 : nil }) {
            "must be a path starting with /, e.g. /app"
        } ?? s.forceScriptName
        s.root = try path("WHITENOISE_ROOT")
        if let value = text("WHITENOISE_MAX_AGE") {
            switch value.lowercased() {
            case "", "none", "null": s.maxAge = .none
            default:
                guard let n = Int(value), n >= 0 else {
                    throw fail("WHITENOISE_MAX_AGE", value, "expected a whole number of seconds (0 or more), or none for no Cache-Control")
                }
                s.maxAge = .seconds(n)
            }
        }
        s.autorefresh = try bool("WHITENOISE_AUTOREFRESH")
        s.useFinders = try bool("WHITENOISE_USE_FINDERS")
        if let value = text("WHITENOISE_INDEX_FILE") {
            switch value.lowercased() {
            case "", "false", "no", "off", "0", "none": s.indexFile = nil
            case "true", "yes", "on", "1": s.indexFile = "index.html"
            default:
                guard !value.contains("/") else { throw fail("WHITENOISE_INDEX_FILE", value, "expected a file name (no /), true for index.html, or false") }
                s.indexFile = value
            }
        }
        for item in list("WHITENOISE_MIMETYPES") ?? [] {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex, item.index(after: eq) != item.endIndex else {
                throw fail("WHITENOISE_MIMETYPES", item, "expected .extension=type or filename=type, e.g. .foo=application/x-foo")
            }
            let type = String(item[item.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
            guard type.split(separator: "/").count == 2 else {
                throw fail("WHITENOISE_MIMETYPES", item, "\(type) is not a media type (type/subtype)")
            }
            s.mimeTypes[String(item[..<eq]).trimmingCharacters(in: .whitespaces)] = type
        }
        if let charset = text("WHITENOISE_CHARSET") { s.charset = charset.isEmpty ? nil : charset }
        s.allowAllOrigins = try bool("WHITENOISE_ALLOW_ALL_ORIGINS") ?? true
        s.immutableFileTest = try parsed("WHITENOISE_IMMUTABLE_FILE_TEST", { v in (try? StaticFiles.checkImmutableFileTest(v)) != nil ? v : nil }) {
            "not a valid regular expression (e.g. ^.+\\.[0-9a-f]{12}\\..+$)"
        } ?? s.immutableFileTest
        if let skip = list("WHITENOISE_SKIP_COMPRESS_EXTENSIONS") {
            s.skipCompressExtensions = skip.map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 }
        }
        s.keepOnlyHashedFiles = try bool("WHITENOISE_KEEP_ONLY_HASHED_FILES") ?? false
        s.djangoCompatibility = try parsed("WHITENOISE_DJANGO_COMPATIBILITY", DjangoCompatibility.init(name:)) {
            "expected a Django release whose collectstatic output to match: \(DjangoCompatibility.allCases.map(\.rawValue).joined(separator: " or "))"
        } ?? s.djangoCompatibility
        if let value = text("WHITENOISE_CACHE_DIR") {
            switch value.lowercased() {
            case "", "auto", "default": s.compressionCache = .automatic
            case "off", "none", "false", "no", "0": s.compressionCache = .off
            default: s.compressionCache = .directory(absolute(value, key: "WHITENOISE_CACHE_DIR"))
            }
        }
        s.compressionCacheMaxSize = try parsed("WHITENOISE_CACHE_MAX_SIZE", { Self.byteSize($0).flatMap { $0 > 0 ? $0 : nil } }) {
            "expected a size such as 2GiB, 500MiB or 1048576 (bytes)"
        } ?? s.compressionCacheMaxSize
        for folder in list("WHITENOISE_IMPORT_MAP_FOLDERS") ?? [] {
            guard !folder.hasPrefix("/"), !folder.split(separator: "/").contains("..") else {
                throw fail("WHITENOISE_IMPORT_MAP_FOLDERS", folder, "expected folders relative to STATIC_ROOT, e.g. js or js/modules")
            }
            s.importMapFolders.append(folder.hasSuffix("/") ? String(folder.dropLast()) : folder)
        }
        s.manifestStrict = try bool("WHITENOISE_MANIFEST_STRICT") ?? true
        if let prefix = text("WHITENOISE_STATIC_PREFIX"), !prefix.isEmpty { s.staticPrefixOverride = prefix }
        s.configuredKeys = configured
    }

    /// The value of `key` parsed by `parse`, `nil` when the key is unset or empty; a value
    /// `parse` refuses is an error that says `problem`.
    private mutating func parsed<T>(_ key: String, _ parse: (String) -> T?, problem: () -> String) throws(SettingsError) -> T? {
        guard let value = text(key), !value.isEmpty else { return nil }
        guard let result = parse(value) else { throw fail(key, value, problem()) }
        return result
    }

    /// `2GiB`, `500MiB`, `64KiB`, `10G`, `1048576`: a size in bytes (units are binary).
    static func byteSize(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let number = Int64(digits) else { return nil }
        let units: [String: Int64] = ["": 1, "b": 1, "k": 1 << 10, "kib": 1 << 10, "kb": 1 << 10, "m": 1 << 20, "mib": 1 << 20,
                                      "mb": 1 << 20, "g": 1 << 30, "gib": 1 << 30, "gb": 1 << 30, "t": 1 << 40, "tib": 1 << 40]
        guard let unit = units[trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()] else { return nil }
        let (product, overflow) = number.multipliedReportingOverflow(by: unit)
        return overflow ? nil : product
    }
}
