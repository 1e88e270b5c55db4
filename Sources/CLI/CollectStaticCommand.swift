import ArgumentParser
import Foundation
import Logging
import WhiteNoise
import WhiteNoiseSettings
import WhiteNoiseStorage
import WhiteNoiseDjango

/// `whitenoise collectstatic`: Django's collectstatic with WhiteNoise's storages.
struct CollectStaticCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collectstatic",
        abstract: "Collect static files into STATIC_ROOT, hash and rewrite them as Django does, and compress them.")

    @OptionGroup var settings: SettingsOption

    @Option(name: .customLong("static-root"), help: "STATIC_ROOT: where files are collected.")
    var staticRoot: String?

    @Option(name: .customLong("source"), help: "A STATICFILES_DIRS entry, DIR or prefix=DIR (repeatable; the first wins).")
    var sources: [String] = []

    @Option(help: "StaticFilesStorage, ManifestStaticFilesStorage, CompressedStaticFilesStorage or CompressedManifestStaticFilesStorage (Django's and WhiteNoise's dotted names too); default: STORAGE from the settings, else CompressedManifestStaticFilesStorage.")
    var storage: String?

    @Option(name: .customLong("static-url"), help: "STATIC_URL, to resolve absolute references in CSS (default /static/).")
    var staticURL: String?

    @Flag(help: "Remove files in STATIC_ROOT that this run does not produce (after the new manifest is written).")
    var clear = false

    @Flag(name: [.customShort("n"), .customLong("dry-run")], help: "Do everything except modify the filesystem.")
    var dryRun = false

    @Flag(help: "Create symbolic links instead of copying.")
    var link = false

    @Flag(name: .customLong("no-input"), help: "Never prompt (this command never does).")
    var noInput = false

    @Option(name: [.short, .customLong("ignore")], help: "Ignore files matching this glob (repeatable).")
    var ignore: [String] = []

    @Flag(name: .customLong("no-default-ignore"), help: "Do not ignore 'CVS', '.*' and '*~'.")
    var noDefaultIgnore = false

    @Flag(name: .customLong("keep-only-hashed-files"), help: "WHITENOISE_KEEP_ONLY_HASHED_FILES: delete unhashed originals.")
    var keepOnlyHashedFiles = false

    @Flag(name: .customLong("js-module-imports"), help: "Also rewrite JavaScript module imports (off by default, as in Django).")
    var jsModuleImports = false

    @Option(name: .customLong("django-compatibility"), help: "Match this Django's hashed output: 6.1 (default) or 5.2; default: WHITENOISE_DJANGO_COMPATIBILITY from the settings.")
    var djangoCompatibility: String?

    @Option(name: .customLong("cache-dir"), help: "The shared compression cache; default: WHITENOISE_CACHE_DIR, else $XDG_CACHE_HOME/whitenoise or ~/.cache/whitenoise.")
    var cacheDirectory: String?

    @Flag(name: .customLong("no-cache"), help: "Compress everything here; neither read nor fill the compression cache.")
    var noCache = false

    @Option(name: .customLong("missing-references"), help: "fail (Django), warn-maps (warn only for .map files) or warn.")
    var missingReferences: String = "fail"

    @Option(name: .customShort("v"), help: "Verbosity: 0 (errors only), 1 (summary) or 2 (every file).")
    var verbosity: Int = 1

    func validate() throws {
        if let storage, StorageKind(name: storage) == nil {
            throw ValidationError("unknown storage '\(storage)'; valid: \(StorageKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if noCache, cacheDirectory != nil { throw ValidationError("--no-cache and --cache-dir contradict each other; give one") }
        if let djangoCompatibility, DjangoCompatibility(name: djangoCompatibility) == nil {
            throw ValidationError("--django-compatibility must be \(DjangoCompatibility.allCases.map(\.rawValue).joined(separator: " or ")); got '\(djangoCompatibility)'")
        }
        guard (0...2).contains(verbosity) else { throw ValidationError("-v must be 0, 1 or 2") }
        guard MissingReferencePolicy(rawValue: missingReferences) != nil else {
            throw ValidationError("--missing-references must be fail, warn-maps or warn; got '\(missingReferences)'")
        }
    }

    func run() throws {
        var logger = Logger(label: "whitenoise.collectstatic") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = verbosity >= 2 ? .debug : (verbosity == 1 ? .notice : .error)
        let base = try settings.resolve(overriding: settingFlags())
        guard base.staticRoot != nil else {
            throw ValidationError("STATIC_ROOT is not set: give --static-root DIR, or STATIC_ROOT in the settings file (--settings FILE)")
        }
        var options = try CollectStaticOptions(settings: base)
        if !sources.isEmpty { options.sources = try sources.map(Self.source) }
        guard !options.sources.isEmpty else {
            throw ValidationError("no sources: give at least one --source DIR, or STATICFILES_DIRS in the settings file (--settings FILE)")
        }
        options.clear = clear
        options.dryRun = dryRun
        options.link = link
        options.ignorePatterns = (noDefaultIgnore ? [] : Collector.defaultIgnorePatterns) + ignore
        options.jsModuleImports = jsModuleImports
        options.missingReferences = MissingReferencePolicy(rawValue: missingReferences)!
        let started = Date()
        let live = verbosity >= 1 && isatty(2) == 1
        let summary: CollectStaticSummary
        do {
            summary = try CollectStatic(options: options, logger: logger).run { done, total, step in
                if live { FileHandle.standardError.write(Data("\r\u{1B}[K\(step): \(done)/\(total) files".utf8)) }
            }
        } catch let error as any CustomStringConvertible {
            if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            throw CommandFailure(error.description)
        }
        if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if verbosity >= 1 { print(summary.line(seconds: Date().timeIntervalSince(started))) }
    }

    /// The flags that are settings, as the settings they override (`--set` wins over them).
    func settingFlags() -> [String: String] {
        var values: [String: String] = [:]
        values["STATIC_ROOT"] = staticRoot
        values["STORAGE"] = storage
        values["STATIC_URL"] = staticURL
        if keepOnlyHashedFiles { values["WHITENOISE_KEEP_ONLY_HASHED_FILES"] = "true" }
        values["WHITENOISE_DJANGO_COMPATIBILITY"] = djangoCompatibility
        values["WHITENOISE_CACHE_DIR"] = noCache ? "off" : cacheDirectory
        return values
    }

    /// `prefix=DIR` or `DIR`.
    static func source(_ text: String) throws -> Collector.Source {
        guard let entry = SourceDirectory(entry: text) else { throw ValidationError("--source takes DIR or prefix=DIR; got '\(text)'") }
        return entry
    }
}

/// `whitenoise findstatic PATH...`: where a static file would be collected from.
struct FindStatic: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "findstatic", abstract: "Show which source file each path would be collected from.")

    @Argument(help: "Paths relative to STATIC_ROOT, e.g. css/app.css.")
    var paths: [String]

    @Option(name: .customLong("source"), help: "A STATICFILES_DIRS entry, DIR or prefix=DIR (repeatable).")
    var sources: [String] = []

    @Flag(help: "Only the first location (the one collectstatic uses).")
    var first = false

    @OptionGroup var settings: SettingsOption

    func run() throws {
        var dirs = try sources.map(CollectStaticCommand.source)
        if dirs.isEmpty {
            dirs = try settings.resolve().staticfilesDirs
        }
        guard !dirs.isEmpty else { throw ValidationError("no sources: give --source DIR, or --settings FILE with STATICFILES_DIRS") }
        var missing = false
        for path in paths {
            let clean = path.split(separator: "/").joined(separator: "/")
            var hits: [String] = []
            for source in dirs {
                let relative: String
                if source.prefix.isEmpty { relative = clean } else if clean.hasPrefix(source.prefix + "/") {
                    relative = String(clean.dropFirst(source.prefix.count + 1))
                } else { continue }
                let candidate = source.path + "/" + relative
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDir), !isDir.boolValue {
                    hits.append(LexicalPath.absolute(candidate))
                }
            }
            if hits.isEmpty {
                FileHandle.standardError.write(Data("No matching file found for '\(path)'.\n".utf8))
                missing = true
            } else {
                print("Found '\(path)' here:")
                for hit in first ? Array(hits.prefix(1)) : hits { print("  \(hit)") }
            }
        }
        if missing { throw ExitCode(1) }
    }
}
