import Foundation

/// Which Django release `collectstatic`'s hashed output matches byte for byte
/// (`WHITENOISE_DJANGO_COMPATIBILITY`).
///
/// The two differ only on some inputs: Django 6.1 leaves references inside CSS/JS comments and
/// string literals alone (5.2 rewrites them, and fails the run when one names a missing file),
/// requires a `url()`'s closing quote to match its opening one, tightened its opt-in JS
/// module-import patterns, and writes `staticfiles.json` with `paths` sorted by name. On a tree
/// without references in comments or strings both produce the same hashed names.
public enum DjangoCompatibility: String, CaseIterable, Sendable {
    /// Django 5.2 LTS's `ManifestStaticFilesStorage`.
    case django52 = "5.2"
    /// Django 6.1's `ManifestStaticFilesStorage` (the default).
    case django61 = "6.1"

    /// The current Django release.
    public static let `default` = DjangoCompatibility.django61

    /// Accepts `5.2`, `6.1`, and also `django5.2`/`Django 6.1`.
    public init?(name: String) {
        var text = name.lowercased().trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("django") { text = String(text.dropFirst(6)).trimmingCharacters(in: .whitespaces) }
        self.init(rawValue: text)
    }

    /// Whether references inside comments and string literals are left alone (6.1).
    public var ignoresCommentsAndStrings: Bool { self == .django61 }
    /// Whether `staticfiles.json` lists `paths` sorted by name (6.1) rather than in
    /// post-processing order (5.2).
    public var sortsManifestPaths: Bool { self == .django61 }
}
