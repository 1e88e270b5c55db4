import ArgumentParser
import Logging
import WhiteNoise
import WhiteNoiseStorage

/// `whitenoise compress ROOT`: mirrors `python -m whitenoise.compress`, with zstd.
struct Compress: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write .zst, .br and .gz variants next to every file under ROOT that is not on the skip list.",
        discussion: """
            A variant is kept only when it is at most 95% of the original, and carries the original's \
            mtime. Extensions given after ROOT replace the default skip list.
            """)

    @Argument(help: "The directory to compress.")
    var root: String

    @Argument(help: "Extensions (without dot) never to compress; replaces the default list.")
    var extensions: [String] = []

    @Flag(name: .customLong("no-gzip"), help: "Do not write .gz files.")
    var noGzip = false

    @Flag(name: .customLong("no-brotli"), help: "Do not write .br files.")
    var noBrotli = false

    @Flag(name: .customLong("no-zstd"), help: "Do not write .zst files.")
    var noZstd = false

    @Flag(name: [.short, .customLong("quiet")], help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        guard isDirectory(root) else { throw CommandFailure("no directory at '\(root)': ROOT must be an existing directory") }
        var logger = Logger(label: "whitenoise.compress") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = quiet ? .error : .debug
        var encodings = ContentCoding.compressed
        if noGzip { encodings.removeAll { $0 == .gzip } }
        if noBrotli { encodings.removeAll { $0 == .br } }
        if noZstd { encodings.removeAll { $0 == .zstd } }
        let compressor = Compressor(encodings: encodings,
                                    skipExtensions: extensions.isEmpty ? Compressor.defaultSkipExtensions : extensions,
                                    logger: logger)
        compressor.warnIfUnavailable()
        let results: [Compressor.FileResult]
        do { results = try compressor.compress(tree: root) } catch { throw CommandFailure(error.description) }
        if !quiet {
            let variants = results.reduce(0) { $0 + $1.written.count }
            let saved = results.reduce(0) { total, r in total + r.written.values.reduce(0) { $0 + (r.originalSize - $1) } }
            print("\(results.count) files compressed into \(variants) variants (\(saved / 1024) KiB smaller in all)")
        }
    }
}
