public import HTTPTypes
public import Logging

/// The serving engine: an immutable table `URL path → file`, built once by `addFiles`,
/// answering each request with little more than a dictionary lookup.
///
/// ```swift
/// var files = try StaticFiles(configuration: config)
/// files.addFiles(root: "staticfiles", prefix: "/static/")
/// if let response = files.respond(to: request) { send(response) } else { passToApp() }
/// ```
/// `StaticFiles` is `Sendable` and takes no lock on the hot path; share one value between
/// threads once it is built.
public struct StaticFiles: Sendable {
    enum Entry: Sendable {
        case file(StaticFile)
        case redirect(String)
    }

    let context: EngineContext
    var table: [PathKey: Entry] = [:]
    /// Roots for autorefresh lookups, newest first.
    var roots: [(root: String, prefix: String)] = []
    /// Every `addFiles` call, in order (either mode), so the same engine can be rebuilt.
    var added: [(root: String, prefix: String)] = []

    /// The configuration this engine was built with.
    public var configuration: StaticFilesConfiguration { context.configuration }

    /// How many URLs the table holds (files, index URLs and redirects).
    public var count: Int { table.count }

    /// Creates an empty engine. Throws `StaticFilesError.invalidImmutableFileTest` for a
    /// regular expression that does not compile.
    public init(configuration: StaticFilesConfiguration = .init(), logger: Logger = Logger(label: "whitenoise")) throws {
        if case .regex(let pattern) = configuration.immutableFileTest { try Self.checkImmutableFileTest(pattern) }
        if let index = configuration.indexFile, index.isEmpty || index.contains("/") {
            throw StaticFilesError.invalidIndexFile(index)
        }
        context = EngineContext(configuration: configuration, logger: logger)
    }

    /// Serves the files under `root` at URLs starting with `prefix` (normalised to `/x/`).
    /// A later call wins for the same URL. A missing root is logged as a warning.
    public mutating func addFiles(root: String, prefix: String = "/") {
        let prefix = Self.normalisePrefix(prefix)
        let root = LexicalPath.absolute(root)
        added.append((root, prefix))
        if context.configuration.autorefresh {
            if FileSystem.info(root)?.1 != .directory {
                context.logger.warning("whitenoise: no directory at \(root) (autorefresh will keep looking)")
            }
            roots.insert((root, prefix), at: 0)
            return
        }
        guard FileSystem.info(root)?.1 == .directory else {
            context.logger.warning("whitenoise: no directory at \(root)")
            return
        }
        let scanned = FileScanner(logger: context.logger).scan(root: root)
        let meta = RootMetadata.load(root: root, useManifest: context.configuration.useManifest)
        var byPath: [PathKey: FileSnapshot] = [:]
        byPath.reserveCapacity(scanned.count)
        for f in scanned { byPath[PathKey(f.relativePath)] = f.snapshot }
        let immutableRegex = immutableRegex()
        table.reserveCapacity(table.count + scanned.count)
        for f in scanned {
            if DigestIndex.metadataFileNames.contains(f.relativePath) { continue }
            if let base = Self.compressedBase(of: f.relativePath), byPath[PathKey(base)] != nil { continue }
            let path = root + "/" + f.relativePath
            var sources = [StaticFile.Source(coding: .identity, path: path, snapshot: f.snapshot,
                                             knownDigest: meta.digestIndex.digest(for: f.relativePath, matching: f.snapshot))]
            for (suffix, coding) in ContentCoding.variantSuffixes {
                let rel = f.relativePath + suffix
                guard let snap = byPath[PathKey(rel)], !sources.contains(where: { $0.coding == coding }) else { continue }
                sources.append(.init(coding: coding, path: path + suffix, snapshot: snap,
                                     knownDigest: meta.digestIndex.digest(for: rel, matching: snap)))
            }
            let url = prefix + f.relativePath
            let immutable = meta.hashedNames.contains(f.relativePath) || isImmutable(path: path, url: url, regex: immutableRegex)
            let file = StaticFile(url: url, sources: sources, immutable: immutable, context: context)
            insert(file, url: url)
        }
    }

    private mutating func insert(_ file: StaticFile, url: String) {
        guard let index = context.configuration.indexFile, url.hasSuffix("/" + index) else {
            table[PathKey(url)] = .file(file)
            return
        }
        let directory = String(url.dropLast(index.utf8.count))  // ends with "/"
        table[PathKey(url)] = .redirect("./")
        table[PathKey(directory)] = .file(file)
        if directory.count > 1 {
            let withoutSlash = String(directory.dropLast())
            let lastSegment = withoutSlash.split(separator: "/").last.map(String.init) ?? ""
            table[PathKey(withoutSlash)] = .redirect(RequestPath.percentEncode(lastSegment) + "/")
        }
    }

    /// The same roots and configuration in autorefresh mode (the behaviour suite runs against
    /// both modes, which must answer alike).
    package func autorefreshing() throws -> StaticFiles {
        var configuration = context.configuration
        configuration.autorefresh = true
        var files = try StaticFiles(configuration: configuration, logger: context.logger)
        for (root, prefix) in added { files.addFiles(root: root, prefix: prefix) }
        return files
    }

    /// Answers a request for a static file, or returns `nil` when the URL is not one of ours:
    /// the adapter then passes the request on to the application.
    public func respond(to request: HTTPRequest) -> StaticResponse? {
        guard let target = request.path else { return nil }
        return respond(method: request.method, target: target, fields: RequestFields(request.headerFields))
    }

    /// The same, for adapters that parse requests themselves: the method, the request target
    /// as sent (origin-form or absolute-form) and the fields the engine reads.
    public func respond(method: HTTPRequest.Method, target: String, fields: RequestFields) -> StaticResponse? {
        guard case .response(let response) = answer(method: method, target: target, fields: fields, mayBlock: true) else { return nil }
        return response
    }

    /// What ``respondWithoutBlocking(method:target:fields:)`` can say at once.
    public enum ImmediateAnswer: Sendable {
        /// The response, computed without waiting on the file system.
        case response(StaticResponse)
        /// The URL is not one of ours: pass the request on to the application.
        case notStatic
        /// Answering means reading the file system (autorefresh mode, or a file's first use,
        /// when it is read and its headers built): call
        /// ``respond(method:target:fields:)`` where blocking is allowed (a thread pool), never
        /// on an event loop or Swift's cooperative pool.
        case mayBlock
    }

    /// Answers at once when that needs no file-system work; otherwise says it may block. Every
    /// adapter asks this first and moves exactly the ``ImmediateAnswer/mayBlock`` cases off
    /// the event loop.
    public func respondWithoutBlocking(method: HTTPRequest.Method, target: String, fields: RequestFields) -> ImmediateAnswer {
        answer(method: method, target: target, fields: fields, mayBlock: false)
    }

    /// The one lookup behind both: with `mayBlock` false, work that reads the file system is
    /// not done but reported as ``ImmediateAnswer/mayBlock``.
    private func answer(method: HTTPRequest.Method, target: String, fields: RequestFields, mayBlock: Bool) -> ImmediateAnswer {
        guard let requestPath = RequestPath(target: target) else { return .notStatic }
        if !roots.isEmpty {
            guard mayBlock else { return .mayBlock }
            return respondAutorefresh(method: method, fields: fields, at: requestPath).map { .response($0) } ?? .notStatic
        }
        switch table[PathKey(requestPath.path)] {
        case .none:
            return .notStatic
        case .file(let file):
            if !mayBlock, !file.isPrepared, method == .get || method == .head { return .mayBlock }
            return file.respond(method: method, fields: fields).map { .response($0) } ?? .notStatic
        case .redirect(let location):
            return .response(redirect(to: location, query: requestPath.query))
        }
    }

    func redirect(to location: String, query: Substring?) -> StaticResponse {
        var f = HTTPFields()
        if let maxAge = context.configuration.maxAge { f[.cacheControl] = "max-age=\(maxAge), public" }
        if let query, !query.isEmpty { f[.location] = location + "?" + query } else { f[.location] = location }
        f[.contentLength] = "0"
        return StaticResponse(status: .found, headerFields: f)
    }

    /// How long (nanoseconds) a file that changed after it was first served must stay
    /// unchanged before its new version is served (Docs/serving.md, "Files that change").
    package static let changedFileQuietTime: Int64 = 250_000_000

    /// Sent when a file keeps changing while it is being served: the client may retry.
    static let serviceUnavailable: StaticResponse = {
        var f = HTTPFields()
        f[.cacheControl] = "no-store"
        f[.retryAfter] = "1"
        f[.contentLength] = "0"
        return StaticResponse(status: .serviceUnavailable, headerFields: f)
    }()

    /// The original's relative path when `path` names a compressed sibling.
    static func compressedBase(of path: String) -> String? {
        for (suffix, _) in ContentCoding.variantSuffixes where path.hasSuffix(suffix) && path.utf8.count > suffix.utf8.count {
            return String(path.dropLast(suffix.count))
        }
        return nil
    }

    /// Checks a regular expression for ``ImmutableFileTest/regex(_:)``
    /// with the engine that will run it (Swift `Regex`), so settings refuse exactly what
    /// serving could not use.
    public static func checkImmutableFileTest(_ pattern: String) throws(StaticFilesError) {
        do { _ = try Regex(pattern) } catch {
            throw StaticFilesError.invalidImmutableFileTest(pattern: pattern, reason: "\(error)")
        }
    }

    func immutableRegex() -> Regex<AnyRegexOutput>? {
        if case .regex(let pattern) = context.configuration.immutableFileTest { return try? Regex(pattern) }
        return nil
    }

    func isImmutable(path: String, url: String, regex: Regex<AnyRegexOutput>?) -> Bool {
        switch context.configuration.immutableFileTest {
        case .none: return false
        case .regex: return regex.map { url.firstMatch(of: $0) != nil } ?? false
        case .predicate(let test): return test(path, url)
        }
    }

    /// `None`, `""`, `"/"` → `/`; `static`, `/static`, `static/` → `/static/`.
    public static func normalisePrefix(_ prefix: String) -> String {
        let trimmed = prefix.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        return trimmed.isEmpty ? "/" : "/" + trimmed + "/"
    }
}

/// Configuration errors, reported when the engine is created.
public enum StaticFilesError: Error, CustomStringConvertible, Equatable {
    /// The immutable-file test's regular expression does not compile.
    case invalidImmutableFileTest(pattern: String, reason: String)
    /// The index file name is empty or contains `/`.
    case invalidIndexFile(String)

    /// A message that says what is wrong and what would be valid.
    public var description: String {
        switch self {
        case .invalidImmutableFileTest(let pattern, let reason):
            return "invalid immutable file test regex '\(pattern)': \(reason)"
        case .invalidIndexFile(let name):
            return "invalid index file name '\(name)': expected a plain file name such as 'index.html'"
        }
    }
}
