import Foundation
import Logging
public import WhiteNoise
public import WhiteNoiseDjango

/// What `collectstatic` is to do.
public struct CollectStaticOptions: Sendable {
    /// `STATIC_ROOT`.
    public var staticRoot: String
    /// `STATICFILES_DIRS`, in order (the first wins for a path).
    public var sources: [Collector.Source]
    /// The storage.
    public var storage: StorageKind = .compressedManifest
    /// `STATIC_URL`, used to resolve absolute references in CSS.
    public var staticURL: String = "/static/"
    /// Remove files from `STATIC_ROOT` that this run did not produce (done last, so an
    /// interrupted run leaves the previous files in place).
    public var clear = false
    /// Report only; write nothing.
    public var dryRun = false
    /// Symlink instead of copying.
    public var link = false
    /// fnmatch patterns of names to leave out.
    public var ignorePatterns = Collector.defaultIgnorePatterns
    /// WhiteNoise's `WHITENOISE_KEEP_ONLY_HASHED_FILES`.
    public var keepOnlyHashedFiles = false
    /// Extensions never compressed (`WHITENOISE_SKIP_COMPRESS_EXTENSIONS`).
    public var skipCompressExtensions = Compressor.defaultSkipExtensions
    /// Encodings to produce.
    public var encodings = ContentCoding.compressed
    /// Django's `support_js_module_import_aggregation`.
    public var jsModuleImports = false
    /// Which Django's hashed output to match (`WHITENOISE_DJANGO_COMPATIBILITY`).
    public var djangoCompatibility = DjangoCompatibility.default
    /// The shared compression cache (`WHITENOISE_CACHE_DIR`; `nil`: compress everything here).
    /// Outputs are the same with or without it.
    public var compressionCache: CompressionCache?
    /// What to do with references to missing files.
    public var missingReferences: MissingReferencePolicy = .fail

    /// Options for `staticRoot` and `sources`.
    public init(staticRoot: String, sources: [Collector.Source]) {
        self.staticRoot = staticRoot
        self.sources = sources
    }
}

/// What a run did.
public struct CollectStaticSummary: Sendable, Equatable {
    /// Files copied or linked.
    public var copied = 0
    /// Files left alone because they were unchanged.
    public var unmodified = 0
    /// Files hashed (and rewritten where they reference others).
    public var postProcessed = 0
    /// Compressed variants written.
    public var variants = 0
    /// Of those, variants copied from the compression cache instead of compressed.
    public var variantsFromCache = 0
    /// Bytes saved by the variants.
    public var savedBytes = 0
    /// CPU time spent in the compression libraries (over every core), in seconds.
    public var compressionCPUSeconds = 0.0
    /// Files removed by `clear` or `keepOnlyHashedFiles`.
    public var removed = 0

    /// Django's style of summary: "12 static files copied, 3 unmodified, …".
    public func line(seconds: Double) -> String {
        var parts = ["\(copied) static file\(copied == 1 ? "" : "s") copied"]
        if unmodified > 0 { parts.append("\(unmodified) unmodified") }
        if postProcessed > 0 { parts.append("\(postProcessed) post-processed") }
        if variants > 0 {
            var cached = variantsFromCache > 0 ? ", \(variantsFromCache) from the cache" : ""
            if compressionCPUSeconds >= 0.05 { cached += String(format: ", %.1f s CPU compressing", compressionCPUSeconds) }
            parts.append("\(variants) variants compressed (saved \(String(format: "%.1f", Double(savedBytes) / 1_048_576)) MB\(cached))")
        }
        if removed > 0 { parts.append("\(removed) removed") }
        return parts.joined(separator: ", ") + String(format: " in %.1f s", seconds)
    }
}

/// Errors that stop a run before it writes anything.
public enum CollectStaticError: Error, CustomStringConvertible, Equatable {
    /// `STATIC_ROOT` lies inside a source folder (it would collect itself), or the reverse.
    case overlappingRoot(staticRoot: String, source: String)
    /// A source folder does not exist.
    case missingSource(String)
    /// A hashed name would replace a collected file of the same name.
    case collision(String)

    /// What went wrong and what would be valid.
    public var description: String {
        switch self {
        case .overlappingRoot(let root, let source):
            return "STATIC_ROOT '\(root)' and the source folder '\(source)' overlap: STATIC_ROOT must be outside every source folder"
        case .missingSource(let s): return "the source folder '\(s)' does not exist"
        case .collision(let name): return "the hashed name '\(name)' is also a collected file's name; rename one of them"
        }
    }
}
