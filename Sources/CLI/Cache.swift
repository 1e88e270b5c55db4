import ArgumentParser
import Foundation
import WhiteNoiseSettings
import WhiteNoiseStorage

/// `whitenoise cache`: shows the shared compression cache's size, or clears it.
struct Cache: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the shared compression cache's size and folder, or clear it.",
        discussion: """
            collectstatic keeps compressed variants in a content-addressed cache (default \
            $XDG_CACHE_HOME/whitenoise or ~/.cache/whitenoise; WHITENOISE_CACHE_DIR or --cache-dir), \
            so a fresh STATIC_ROOT copies them instead of compressing again. It is bounded by \
            WHITENOISE_CACHE_MAX_SIZE (default 2GiB), least recently used out first.
            """)

    @OptionGroup var settings: SettingsOption

    @Option(name: .customLong("cache-dir"), help: "The cache folder; default: WHITENOISE_CACHE_DIR, else the default location.")
    var cacheDirectory: String?

    @Flag(help: "Remove every entry.")
    var clear = false

    func run() throws {
        let base = try settings.resolve(overriding: cacheDirectory.map { ["WHITENOISE_CACHE_DIR": $0] } ?? [:])
        guard let directory = base.compressionCacheDirectory() else {
            throw ValidationError("the compression cache is off (WHITENOISE_CACHE_DIR=off): give --cache-dir DIR")
        }
        let cache = CompressionCache(directory: directory, maxSize: base.compressionCacheMaxSize)
        if clear {
            let before = cache.usage()
            cache.clear()
            print("cleared \(cache.directory): \(before.entries) entries, \(Self.size(before.bytes))")
        } else {
            let usage = cache.usage()
            print("\(cache.directory): \(usage.entries) entries, \(Self.size(usage.bytes)) (limit \(Self.size(cache.maxSize)))")
        }
    }

    /// `12.3 MiB`.
    static func size(_ bytes: Int64) -> String {
        if bytes >= 1 << 30 { return String(format: "%.1f GiB", Double(bytes) / Double(1 << 30)) }
        if bytes >= 1 << 20 { return String(format: "%.1f MiB", Double(bytes) / Double(1 << 20)) }
        if bytes >= 1 << 10 { return String(format: "%.1f KiB", Double(bytes) / Double(1 << 10)) }
        return "\(bytes) bytes"
    }
}
