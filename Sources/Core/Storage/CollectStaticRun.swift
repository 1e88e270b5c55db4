import Foundation
public import Logging
import WhiteNoise
import WhiteNoiseDjango

/// `collectstatic`: collect, hash and rewrite (Django-identical), compress, then write the
/// digest index and, last and atomically, `staticfiles.json`. Every file is written under a
/// temporary name and renamed into place, so a run killed at any moment leaves the previous
/// `STATIC_ROOT` and manifest consistent, and the next run completes.
public struct CollectStatic {
    /// The options.
    public var options: CollectStaticOptions
    /// Progress and per-file messages (`debug` for each file, `info` for steps).
    public var logger: Logger

    /// A run with `options`.
    public init(options: CollectStaticOptions, logger: Logger = Logger(label: "whitenoise.collectstatic")) {
        self.options = options
        self.logger = logger
    }

    /// Runs; `progress(done, total, step)` is called as files are handled.
    public func run(progress: @escaping @Sendable (Int, Int, String) -> Void = { _, _, _ in }) throws -> CollectStaticSummary {
        let root = LexicalPath.absolute(options.staticRoot)
        for source in options.sources {
            let s = LexicalPath.absolute(source.path)
            guard FileManager.default.fileExists(atPath: s) else { throw CollectStaticError.missingSource(source.path) }
            if LexicalPath.isInside(root, root: s) || LexicalPath.isInside(s, root: root) {
                throw CollectStaticError.overlappingRoot(staticRoot: options.staticRoot, source: source.path)
            }
        }
        var summary = CollectStaticSummary()
        let found = Collector.find(options.sources, ignore: options.ignorePatterns)
        if options.dryRun {
            for (name, _) in found { logger.info("Pretending to copy '\(name)'") }
            summary.copied = found.count
            return summary
        }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        // One run at a time in a STATIC_ROOT: a second one waits here. Then whatever a killed
        // run left half-written (under temporary names) goes.
        let lock = try RunLock(root: root, logger: logger)
        defer { lock.release() }
        FileIO.removeTemporaryFiles(under: root)

        // 1. Collect. A replaced file's compressed variants go just before the new bytes take its
        //    name: killed at any moment, a URL never serves one version as identity and
        //    another as br/gzip/zstd (a file without variants is served as it is).
        let collectedNames = Set(found.map(\.0))
        for (index, (name, source)) in found.enumerated() {
            let destination = root + "/" + name
            if try unchanged(source: source, destination: destination) {
                summary.unmodified += 1
            } else {
                let staleVariants = ContentCoding.variantSuffixes.map { name + $0.suffix }.filter { !collectedNames.contains($0) }
                try place(source: source, destination: destination) {
                    for variant in staleVariants { unlink(root + "/" + variant) }
                }
                summary.copied += 1
                logger.debug("Copying '\(source)'")
            }
            progress(index + 1, found.count, "collect")
        }
        let names = found.map(\.0)
        var produced = Set(names)
        var variants: Set<String> = []  // compressed variants: no integrity value of their own
        let previous = RunCache(root: root, fingerprint: fingerprint)

        // Nothing changed since the last run: its outputs stand; hash and compress nothing.
        // (A STATIC_ROOT from a release without integrity values is brought up to date.)
        if summary.copied == 0, !options.clear, previous?.outputsUnchanged(for: names, storage: options.storage) == true,
            FileManager.default.fileExists(atPath: root + "/" + IntegrityIndex.fileName) {
            progress(names.count, names.count, "unchanged")
            return summary
        }

        // 2. Hash and rewrite.
        var manifestPaths: [(String, String)] = []
        var hasher = ManifestHasher(root: root, staticURL: options.staticURL, jsModuleImports: options.jsModuleImports,
                                    compatibility: options.djangoCompatibility)
        hasher.missingReferences = options.missingReferences
        let logger = self.logger
        hasher.warn = { logger.warning("\($0)") }
        if options.storage.hashes {
            manifestPaths = try hasher.postProcess(paths: names)
            let collected = Set(names)
            for (_, hashed) in manifestPaths where collected.contains(hashed) { throw CollectStaticError.collision(hashed) }
            summary.postProcessed = manifestPaths.count
            produced.formUnion(manifestPaths.map(\.1))
            progress(names.count, names.count, "hash")
        }

        // 3. Keep only hashed files (WhiteNoise): drop originals and intermediate names.
        if options.storage.hashes, options.keepOnlyHashedFiles {
            let finals = Set(manifestPaths.map(\.1))
            for name in Set(names).union(hasher.producedNames).subtracting(finals) where unlink(root + "/" + name) == 0 {
                summary.removed += 1
            }
            produced = finals
        }

        // 4. Compress what is kept. What compressing learns of each file's bytes (digests,
        //    integrity values) saves reading it again for the digest index.
        var known = DigestIndex(files: [:])
        var storedInCache = false
        if options.storage.compresses {
            var compressor = Compressor(encodings: options.encodings, skipExtensions: options.skipCompressExtensions, logger: logger)
            compressor.cache = options.compressionCache
            compressor.warnIfUnavailable()
            let targets = produced.sorted().filter { compressor.shouldCompress($0) }
            // Files whose content and variants are as the last run left them are not redone.
            var toCompress: [String] = []
            for target in targets {
                if let kept = previous?.unchangedVariants(of: target, encodings: options.encodings) {
                    for encoding in kept { produced.insert(target + encoding.suffix); variants.insert(target + encoding.suffix) }
                } else {
                    toCompress.append(target)
                }
            }
            let results = try compressor.compress(files: toCompress.map { root + "/" + $0 }) { done, total in
                progress(done, total, "compress")
            }
            for r in results {
                for (path, entry) in r.knownEntries { known.files[String(path.dropFirst(root.count + 1))] = entry }
                if r.fromCache.count < r.written.count + r.notEffective.count { storedInCache = true }
                summary.variants += r.written.count
                summary.variantsFromCache += r.written.keys.filter { r.fromCache.contains($0) }.count
                summary.compressionCPUSeconds += r.codecCPUSeconds
                summary.savedBytes += r.written.values.reduce(0) { $0 + (r.originalSize - $1) }
                for (encoding, _) in r.written {
                    let variant = String(r.path.dropFirst(root.count + 1)) + encoding.suffix
                    produced.insert(variant)
                    variants.insert(variant)
                }
            }
            progress(targets.count, targets.count, "compress")
        }

        // 5. Integrity values, the digest index (which also keeps the integrity values for the
        //    next run), then the manifest, last and atomically.
        let earlier = (try? String(contentsOfFile: root + "/" + DigestIndex.fileName, encoding: .utf8)).flatMap(DigestIndex.init(parsing:))
        var reusable = earlier ?? DigestIndex(files: [:])
        reusable.files.merge(known.files) { $1 }
        let index = DigestIndex.build(root: root, only: produced, reusing: reusable) { !variants.contains($0) }
        let integrity = IntegrityIndex(files: index.files.compactMapValues(\.integrity))
        try FileIO.writeAtomically(root + "/" + IntegrityIndex.fileName, Array(integrity.text.utf8), times: nil)
        try FileIO.writeAtomically(root + "/" + DigestIndex.fileName, Array(index.text.utf8), times: nil)
        try FileIO.writeAtomically(root + "/" + RunCache.fileName, Array(fingerprint.utf8), times: nil)
        // Every file this run wrote is on stable storage before the manifest names it, and the
        // manifest's rename is too before anything is removed (a power loss keeps one run).
        Durability.syncFiles(in: root, paths: produced.map { root + "/" + $0 }
            + [IntegrityIndex.fileName, DigestIndex.fileName, RunCache.fileName].map { root + "/" + $0 })
        if options.storage.hashes {
            try FileIO.writeAtomically(root + "/" + DjangoManifest.fileName, Array(DjangoManifest.json(paths: manifestPaths, compatibility: options.djangoCompatibility).utf8),
                                       times: nil, durable: true)
        }
        Durability.syncDirectory(root)

        // The cache stays within its size (least recently used out first); a run that only
        // read from it cannot have grown it.
        if storedInCache { options.compressionCache?.trim() }

        // 6. Hashed files that a later pass replaced (Django deletes them as it goes).
        for name in hasher.supersededNames where !produced.contains(name) && unlink(root + "/" + name) == 0 {
            summary.removed += 1
        }

        // 7. --clear, done last: whatever this run did not produce goes.
        if options.clear {
            let keep = produced.union(DigestIndex.metadataFileNames).union([DjangoManifest.fileName])
            for path in FileIO.walk(root) {
                let rel = String(path.dropFirst(root.count + 1))
                if !keep.contains(rel), unlink(path) == 0 { summary.removed += 1 }
            }
        }
        return summary
    }

    /// The options that shape outputs; a change means nothing from the last run is reused.
    private var fingerprint: String {
        "whitenoise-collectstatic 1 storage=\(options.storage.rawValue) url=\(options.staticURL) "
            + "encodings=\(options.encodings.map(\.rawValue).joined(separator: ",")) "
            + "skip=\(options.skipCompressExtensions.sorted().joined(separator: ",")) keepOnlyHashed=\(options.keepOnlyHashedFiles) "
            + "jsImports=\(options.jsModuleImports) django=\(options.djangoCompatibility.rawValue) missing=\(options.missingReferences.rawValue) link=\(options.link)\n"
    }

    /// Unchanged when the destination has the source's size and mtime (copies keep mtimes),
    /// or, with `link`, already is a symlink to it.
    private func unchanged(source: String, destination: String) throws -> Bool {
        var dst = stat(), src = stat()
        guard lstat(destination, &dst) == 0, stat(source, &src) == 0 else { return false }
        if options.link {
            return (dst.st_mode & S_IFMT) == S_IFLNK && (try? FileManager.default.destinationOfSymbolicLink(atPath: destination)) == LexicalPath.absolute(source)
        }
        return (dst.st_mode & S_IFMT) == S_IFREG && dst.st_size == src.st_size
            && dst.modificationTime.tv_sec == src.modificationTime.tv_sec && dst.modificationTime.tv_nsec == src.modificationTime.tv_nsec
    }

    private func place(source: String, destination: String, beforeReplacing: () -> Void) throws {
        try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if options.link {
            let temp = FileIO.temporaryName(for: destination)
            try FileManager.default.createSymbolicLink(atPath: temp, withDestinationPath: LexicalPath.absolute(source))
            beforeReplacing()
            guard rename(temp, destination) == 0 else {
                let e = errno
                unlink(temp)
                throw StorageError.unwritable(path: destination, errno: e)
            }
        } else {
            try FileIO.copyAtomically(source, destination, keepTimes: true, beforeRename: beforeReplacing)
        }
    }
}

/// The lock that keeps two runs out of one STATIC_ROOT (`flock` on `.whitenoise-collectstatic.lock`,
/// released by the kernel if the process dies).
struct RunLock {
    static let fileName = ".whitenoise-collectstatic.lock"
    private let fd: Int32

    init(root: String, logger: Logger) throws {
        let path = root + "/" + Self.fileName
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StorageError.unwritable(path: path, errno: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            logger.notice("waiting for another collectstatic run in \(root) to finish")
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    let e = errno
                    close(fd)
                    throw StorageError.unwritable(path: path, errno: e)
                }
            }
        }
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// What the previous run left: its options fingerprint and its digest index, used to skip
/// work whose inputs have not changed (stat-checked, as Django's collectstatic checks mtimes).
struct RunCache {
    static let fileName = "staticfiles.cache"
    let root: String
    let index: DigestIndex

    /// `nil` unless the last run had the same options and left a digest index.
    init?(root: String, fingerprint: String) {
        guard let saved = try? String(contentsOfFile: root + "/" + Self.fileName, encoding: .utf8), saved == fingerprint,
            let text = try? String(contentsOfFile: root + "/" + DigestIndex.fileName, encoding: .utf8),
            let index = DigestIndex(parsing: text)
        else { return nil }
        self.root = root
        self.index = index
    }

    /// Whether `name` is on disk exactly as the index recorded it.
    func unchanged(_ name: String) -> Bool {
        guard let e = index.files[name] else { return false }
        var st = stat()
        return stat(root + "/" + name, &st) == 0 && Int64(st.st_size) == e.size && Int64(st.modificationTime.tv_sec) == e.mtime
            && Int64(st.modificationTime.tv_nsec) == e.mtimeNanoseconds
    }

    /// Whether the collected names are the ones the last run hashed and every output it
    /// recorded is untouched.
    func outputsUnchanged(for names: [String], storage: StorageKind) -> Bool {
        var expected = Set(names)
        if storage.hashes {
            guard let manifest = (try? DjangoManifest.read(root: root)) ?? nil, Set(manifest.paths.keys) == expected else { return false }
            expected = Set(manifest.paths.values)
        }
        return expected.allSatisfy(unchanged) && index.files.keys.allSatisfy(unchanged)
    }

    /// The encodings whose variants of `name` the last run left untouched, when `name` itself
    /// is unchanged; `nil` when it must be compressed again.
    func unchangedVariants(of name: String, encodings: [ContentCoding]) -> [ContentCoding]? {
        guard unchanged(name) else { return nil }
        var kept: [ContentCoding] = []
        for encoding in encodings where index.files[name + encoding.suffix] != nil {
            guard unchanged(name + encoding.suffix) else { return nil }
            kept.append(encoding)
        }
        return kept
    }
}
