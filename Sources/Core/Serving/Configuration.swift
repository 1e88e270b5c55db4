public import HTTPTypes

/// Everything that shapes the engine's answers. Mirrors WhiteNoise's options.
public struct StaticFilesConfiguration: Sendable {
    /// `Cache-Control: max-age=<n>, public` for files that are not immutable; `nil` sends no
    /// `Cache-Control` at all (WhiteNoise's `max_age=None`). Default 60.
    public var maxAge: Int? = 60
    /// Adds `Access-Control-Allow-Origin: *` to file responses. Default on.
    public var allowAllOrigins: Bool = true
    /// Appended as `; charset=<charset>` to `text/*` types; `nil` adds none. Default `utf-8`.
    public var charset: String? = "utf-8"
    /// Media types by extension (`".js"`) or whole file name, merged over the built-in table.
    public var mimeTypes: [String: String] = [:]
    /// Called once per file when its headers are built, with the absolute file path and URL.
    /// It may add or replace fields (including `ETag`/`Last-Modified`, which are then kept).
    public var addHeaders: (@Sendable (_ fields: inout HTTPFields, _ path: String, _ url: String) -> Void)?
    /// The index file name served for `dir/` (e.g. `index.html`); `nil` disables index files.
    public var indexFile: String?
    /// Which URLs are immutable (`Cache-Control: max-age=315360000, public, immutable`).
    public var immutableFileTest: ImmutableFileTest = .none
    /// Development mode: look files up on every request instead of once at start-up.
    public var autorefresh: Bool = false
    /// In autorefresh mode, serve symlinks whose real path leaves the root. Default off.
    public var allowUnsafeSymlinks: Bool = false
    /// Files of at most this many bytes are kept in memory once served (within the budget).
    public var maximumInMemoryFileSize: Int = 256 * 1024
    /// Total bytes of file bodies kept in memory. Default 64 MiB; 0 keeps none.
    public var memoryBudget: Int = 64 * 1024 * 1024
    /// How many files sent from disk keep their descriptor open between requests (nginx's
    /// `open_file_cache max`); the least recently used is closed first. `nil`: a quarter of
    /// the process's open-file limit, between 16 and 4,096.
    public var maximumHeldFiles: Int?
    /// Read `staticfiles.json` (Django's manifest) in each root: its hashed names are immutable.
    public var useManifest: Bool = true

    /// The default configuration (WhiteNoise's defaults).
    public init() {}

    /// WhiteNoise's `FOREVER`: ten years, as nginx's `expires max`.
    public static let forever = 315_360_000
}

/// How the engine decides that a URL is immutable (hashed), and can be cached forever.
public enum ImmutableFileTest: Sendable {
    /// No file is immutable unless a manifest lists it as a hashed name.
    case none
    /// A regular expression searched in the URL, e.g. `^.+\.[0-9a-f]{12}\..+$`.
    case regex(String)
    /// A predicate on the absolute file path and the URL.
    case predicate(@Sendable (_ path: String, _ url: String) -> Bool)
}
