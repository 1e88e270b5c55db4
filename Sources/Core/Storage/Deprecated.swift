// Django's types are part of this module's API (`CollectStaticOptions.storage`, …).
@_exported public import WhiteNoiseDjango

/// `staticfiles.json`'s model and writer, now ``WhiteNoiseDjango/DjangoManifest``.
@available(*, deprecated, renamed: "DjangoManifest")
public typealias ManifestFile = DjangoManifest

extension DjangoManifest {
    /// The manifest's file name, now `DjangoManifest.fileName`.
    @available(*, deprecated, renamed: "fileName")
    public static var name: String { fileName }
}
