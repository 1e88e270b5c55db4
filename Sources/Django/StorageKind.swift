/// The storages of Django and WhiteNoise, by their class names.
public enum StorageKind: String, CaseIterable, Sendable {
    /// Copy only.
    case staticFiles = "StaticFilesStorage"
    /// Copy, hash, rewrite references, write `staticfiles.json`.
    case manifest = "ManifestStaticFilesStorage"
    /// Copy and compress.
    case compressed = "CompressedStaticFilesStorage"
    /// Copy, hash, rewrite, manifest, compress (WhiteNoise's recommended storage).
    case compressedManifest = "CompressedManifestStaticFilesStorage"

    /// Accepts the short name or Django's/WhiteNoise's dotted path.
    public init?(name: String) {
        let short = name.split(separator: ".").last.map(String.init) ?? name
        guard let kind = StorageKind(rawValue: short) else { return nil }
        let dotted = ["django.contrib.staticfiles.storage.", "whitenoise.storage.", ""]
        guard dotted.contains(where: { name == $0 + short }) else { return nil }
        self = kind
    }

    /// Whether files get content-hashed names and a `staticfiles.json`.
    public var hashes: Bool { self == .manifest || self == .compressedManifest }
    /// Whether files get precompressed variants.
    public var compresses: Bool { self == .compressed || self == .compressedManifest }
}
