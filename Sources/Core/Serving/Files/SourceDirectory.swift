/// A folder of static files, optionally under a URL prefix: a `STATICFILES_DIRS` entry (a
/// path, or Django's `(prefix, path)` tuple). `collectstatic` collects it into `STATIC_ROOT`
/// under `prefix/`; with finders, the engine serves it at the static prefix plus `prefix/`.
public struct SourceDirectory: Sendable, Equatable {
    /// The URL prefix inside `STATIC_ROOT` (`""` for none).
    public var prefix: String
    /// The folder.
    public var path: String

    /// A folder under `prefix`.
    public init(prefix: String = "", path: String) {
        self.prefix = prefix
        self.path = path
    }

    /// A `STATICFILES_DIRS` entry as written in settings and on the command line: `DIR`, or
    /// `prefix=DIR` (a `=` before any `/`). `nil` when the folder part is empty.
    public init?(entry: String) {
        var prefix = ""
        var path = entry
        if let eq = entry.firstIndex(of: "="), !entry[..<eq].contains("/") {
            prefix = String(entry[..<eq])
            path = String(entry[entry.index(after: eq)...])
        }
        guard !path.isEmpty else { return nil }
        self.init(prefix: prefix, path: path)
    }
}
