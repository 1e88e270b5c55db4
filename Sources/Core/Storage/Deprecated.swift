// Django's types are part of this module's API (`CollectStaticOptions.storage`, …).
@_exported public import WhiteNoiseDjango
public import WhiteNoise

/// `staticfiles.json`'s model and writer, now ``WhiteNoiseDjango/DjangoManifest``.
@available(*, deprecated, renamed: "DjangoManifest")
public typealias ManifestFile = DjangoManifest

extension DjangoManifest {
    /// The manifest's file name, now `DjangoManifest.fileName`.
    @available(*, deprecated, renamed: "fileName")
    public static var name: String { fileName }
}

/// The precompressed encodings, now the engine's ``WhiteNoise/ContentCoding`` (which carries
/// its suffixes): `ContentCoding.compressed` lists the three.
@available(*, deprecated, renamed: "ContentCoding")
public typealias CompressionEncoding = ContentCoding

extension ContentCoding {
    /// Brotli, now `ContentCoding.br`.
    @available(*, deprecated, renamed: "br")
    public static var brotli: ContentCoding { .br }

    /// Every suffix under which the engine serves a variant, now `ContentCoding.variantSuffixes`.
    @available(*, deprecated, message: "use ContentCoding.variantSuffixes")
    public static var servedSuffixes: [String] { variantSuffixes.map(\.suffix) }
}
