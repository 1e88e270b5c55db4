import ArgumentParser
import WhiteNoiseSettings
import Logging
import NIOCore
import WhiteNoise
import WhiteNoiseNIO
import Foundation

/// `whitenoise serve ROOT`: a standalone static-file server.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a directory over HTTP with WhiteNoise's headers, compression and caching.")

    @Argument(help: "The directory to serve (or give --settings).")
    var root: String?

    @OptionGroup var settings: SettingsOption

    @Option(help: "URL prefix the directory is served under (default /; with settings: WHITENOISE_STATIC_PREFIX).")
    var prefix: String?

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to bind (0 picks a free port).")
    var port: Int = 8000

    @Option(name: .customLong("max-age"), help: "Cache-Control max-age in seconds for files that are not immutable, or 'none'.")
    var maxAge: String?

    @Option(name: .customLong("index-file"), help: "Serve this file for directory URLs ending in '/'.")
    var indexFile: String?

    @Option(name: .customLong("immutable-file-test"), help: "Regex searched in the URL; matches are cached forever.")
    var immutableFileTest: String?

    @Flag(name: .customLong("no-allow-all-origins"), help: "Do not send Access-Control-Allow-Origin: *.")
    var noAllowAllOrigins = false

    @Option(help: "Charset added to text/* types ('' for none; default utf-8).")
    var charset: String?

    @Flag(help: "Development: look files up on every request (never escapes the root).")
    var autorefresh = false

    @Flag(name: .customLong("allow-unsafe-symlinks"), help: "With --autorefresh, follow symlinks that leave the root.")
    var allowUnsafeSymlinks = false

    @Option(help: "Event-loop threads (default: one per available core).")
    var threads: Int?

    @Option(help: "Server backend: \(StaticFileServer.Backend.available.map(\.rawValue).joined(separator: " or ")) (default \(StaticFileServer.Backend.platformDefault.rawValue)).")
    var backend: String?

    @Option(name: .customLong("graceful-timeout"),
            help: "On SIGINT/SIGTERM, seconds that responses in progress get to finish (idle connections close at once; a second signal stops at once).")
    var gracefulTimeout: Double = 10

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, got \(port)") }
        if let maxAge, maxAge != "none", Int(maxAge).map({ $0 < 0 }) ?? true {
            throw ValidationError("--max-age must be a non-negative number of seconds or 'none', got '\(maxAge)'")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got '\(logLevel)'")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        guard gracefulTimeout >= 0, gracefulTimeout <= 86_400 else {
            throw ValidationError("--graceful-timeout must be between 0 and 86400 seconds, got \(gracefulTimeout)")
        }
        if let backend, !StaticFileServer.Backend.available.contains(where: { $0.rawValue == backend }) {
            let valid = StaticFileServer.Backend.available.map(\.rawValue).joined(separator: " or ")
            throw ValidationError("--backend must be \(valid) on this platform, got '\(backend)'")
        }
    }

    func run() async throws {
        // An explicit ROOT serves that directory (a WHITENOISE_SETTINGS in the environment is
        // then not used); otherwise the settings say what to serve, and these flags override them.
        if root != nil, settings.file != nil || !settings.assignments.isEmpty {
            throw ValidationError("give ROOT, or --settings FILE (and --set KEY=VALUE), not both")
        }
        let loaded: WhiteNoiseSettings
        if let root {
            guard isDirectory(root) else { throw CommandFailure("no directory at '\(root)': ROOT must be an existing directory") }
            // ROOT is a STATIC_ROOT served at --prefix (default /); its staticfiles.json, if
            // any, marks hashed names immutable. The environment's settings are not read.
            var overrides = settingFlags()
            overrides["STATIC_ROOT"] = root
            overrides["WHITENOISE_STATIC_PREFIX"] = prefix ?? "/"
            overrides["STORAGE"] = StorageKind.compressedManifest.rawValue
            do { loaded = try WhiteNoiseSettings.load(file: nil, environment: [:], overrides: overrides) } catch {
                throw flagError(error)  // from the flags: a usage error
            }
        } else {
            guard let fromSettings = try settings.load(overriding: settingFlags()) else {
                throw ValidationError("give the directory to serve (ROOT), or --settings FILE")
            }
            loaded = fromSettings
        }
        let level = Logger.Level(rawValue: logLevel)!
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "whitenoise")
        let files: StaticFiles
        do {
            files = try StaticFiles(settings: loaded, logger: logger) { $0.allowUnsafeSymlinks = allowUnsafeSymlinks }
        } catch let error as any CustomStringConvertible {
            // From the flags, a bad value is a usage error; from settings, a bad setting.
            if root != nil { throw ValidationError(error.description) }
            throw CommandFailure(error.description)
        }

        var serverConfig = StaticFileServer.Configuration()
        serverConfig.host = host
        serverConfig.port = port
        if let threads { serverConfig.threads = threads }
        if let backend, let chosen = StaticFileServer.Backend(rawValue: backend) { serverConfig.backend = chosen }
        serverConfig.shutdownGracePeriod = .nanoseconds(Int64(gracefulTimeout * 1e9))
        let server = StaticFileServer(files: files, configuration: serverConfig, logger: logger)
        let signals = TerminationSignals.stream()
        do {
            let address = try await server.start()
            // One machine-readable line for scripts and tests that start us on port 0.
            let line = "whitenoise: listening on http://\(host):\(address.port ?? port)\n"
            _ = line.withCString { write(1, $0, strlen($0)) }
        } catch {
            try? await server.shutdown()
            // A runtime failure, not a usage error: no usage text, exit status 1.
            let reason = (error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(error)"
            throw CommandFailure("cannot listen on \(host):\(port): \(reason)")
        }
        try await Self.stop(server, on: signals, gracePeriod: gracefulTimeout, logger: logger)
    }

    /// Waits for the first signal, then shuts down gracefully; a second signal during that
    /// shutdown closes the remaining connections at once.
    static func stop(_ server: StaticFileServer, on signals: AsyncStream<Int32>, gracePeriod: Double, logger: Logger) async throws {
        for await signal in signals {
            logger.info("whitenoise: received signal \(signal), shutting down (responses in progress get up to \(gracePeriod) s)")
            break
        }
        let hurry = Task {
            for await signal in signals {
                logger.notice("whitenoise: received signal \(signal) again, closing every connection now")
                try? await server.shutdown(gracePeriod: .zero)
                break
            }
        }
        defer { hurry.cancel() }
        try await server.shutdown()
    }

    /// The engine flags that were given, each with the setting it overrides: the one place a
    /// flag is mapped.
    func flagSettings() -> [(flag: String, key: String, value: String)] {
        var given: [(String, String, String?)] = [
            ("--prefix", "WHITENOISE_STATIC_PREFIX", prefix),
            ("--max-age", "WHITENOISE_MAX_AGE", maxAge),
            ("--index-file", "WHITENOISE_INDEX_FILE", indexFile),
            ("--immutable-file-test", "WHITENOISE_IMMUTABLE_FILE_TEST", immutableFileTest),
            ("--charset", "WHITENOISE_CHARSET", charset),
        ]
        if noAllowAllOrigins { given.append(("--no-allow-all-origins", "WHITENOISE_ALLOW_ALL_ORIGINS", "false")) }
        if autorefresh { given.append(("--autorefresh", "WHITENOISE_AUTOREFRESH", "true")) }
        return given.compactMap { flag, key, value in value.map { (flag, key, $0) } }
    }

    /// The flags as settings overrides.
    func settingFlags() -> [String: String] {
        Dictionary(flagSettings().map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
    }

    /// A bad flag value, said in the flag's terms.
    func flagError(_ error: SettingsError) -> any Error {
        guard error.file == "command line", let flag = flagSettings().first(where: { $0.key == error.key }) else {
            return CommandFailure(error.description)
        }
        return ValidationError("\(flag.flag) '\(flag.value)': \(error.problem)")
    }
}

/// Whether `path` is an existing directory.
func isDirectory(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
}
