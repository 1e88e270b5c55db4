import CBrotli
import CZlib
import WhiteNoise
import Foundation

/// A content-addressed cache of compressed variants, shared by every `collectstatic` on a
/// machine (a CI runner's cache folder, a Docker build cache): a fresh `STATIC_ROOT` gets its
/// `.br`/`.gz`/`.zst` files copied instead of compressed again.
///
/// - **Key**: the SHA-384 of the content (its first 256 bits), the codec, its level and the
///   library's version (`<dir>/v1/<codec identity>/<2 hex>/<64 hex>`), so a new brotli or a
///   new level never reuses an old entry.
/// - **Entries** hold the compressed bytes, or the fact that the codec did not save 5%. Each
///   starts with a header line carrying the payload's length and XXH64; a read that does not
///   match (a corrupt or truncated entry) is a miss: the file is compressed again and the
///   entry replaced. A variant is never written from an unverified entry.
/// - **Atomic and concurrent**: entries are written under a temporary name and renamed into
///   place, so two runs at once and a run killed at any moment leave only whole entries (and
///   temporary files that ``trim(now:)`` removes after an hour).
/// - **Bounded**: ``trim(now:)`` (run after each `collectstatic` that stored entries) removes the least recently
///   used entries (a hit refreshes an entry's mtime) until the cache is under its size.
public struct CompressionCache: Sendable {
    /// 2 GiB.
    public static let defaultMaxSize: Int64 = 2 << 30
    /// The folder.
    public let directory: String
    /// The size ``trim(now:)`` brings the cache under.
    public var maxSize: Int64

    /// A cache in `directory` (created when first written).
    public init(directory: String, maxSize: Int64 = CompressionCache.defaultMaxSize) {
        self.directory = directory
        self.maxSize = maxSize
    }

    static let layoutVersion = "v1"
    private static let magic = "whitenoise-cache 1"

    /// What a lookup found.
    enum Lookup: Equatable {
        /// No usable entry.
        case miss
        /// The codec did not save 5% on this content.
        case notEffective
        /// The variant was written from the entry: its size and XXH64.
        case restored(size: Int, digest: UInt64)
    }

    /// The key of content whose SHA-384 is `digest` (in hex, cut to 256 bits).
    static func contentKey(_ digest: [UInt8]) -> String {
        digest.prefix(32).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// The entry's path for a content key, an encoding and the compressor's mode.
    func entryPath(_ key: String, _ encoding: ContentCoding, streaming: Bool) -> String {
        "\(directory)/\(Self.layoutVersion)/\(encoding.cacheIdentity)\(streaming ? "-stream" : "")/\(key.prefix(2))/\(key)"
    }

    /// Writes the variant of `key` to `destination` (atomically, with `times`) when a whole,
    /// verified entry exists; removes an entry that fails verification.
    func restore(_ key: String, _ encoding: ContentCoding, streaming: Bool, to destination: String, times: stat) -> Lookup {
        let path = entryPath(key, encoding, streaming: streaming)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .miss }
        defer { _ = closeDescriptor(fd) }
        guard let (header, headerLength) = Self.readHeader(fd) else {
            unlink(path)
            return .miss
        }
        // Recently used: the entry's mtime moves to now (at most once an hour, so that warm runs
        // do not rewrite every entry's inode).
        var entryStat = stat()
        if fstat(fd, &entryStat) == 0, Double(time(nil)) - Double(entryStat.modificationTime.tv_sec) > 3600 { _ = futimens(fd, nil) }
        guard header.effective else { return .notEffective }
        let temp = FileIO.temporaryName(for: destination)
        let out = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard out >= 0 else { return .miss }
        var digest = ContentDigest()
        var copied = 0
        var ok = Self.copy(from: fd, offset: headerLength, to: out) { chunk in
            digest.update(chunk)
            copied += chunk.count
        }
        ok = ok && copied == header.length && digest.finalize() == header.checksum
        var ts = times.accessAndModificationTimes
        _ = futimens(out, &ts)
        guard closeDescriptor(out) == 0, ok, rename(temp, destination) == 0 else {
            unlink(temp)
            if !ok { unlink(path) }  // corrupt: compressed again and replaced
            return .miss
        }
        return .restored(size: copied, digest: header.checksum)
    }

    /// Records `variant` (a compressed file), or that the codec was not effective (`nil`).
    /// Failures are ignored: the cache only ever saves work.
    func store(_ key: String, _ encoding: ContentCoding, streaming: Bool, variant: String?) {
        var checksum = ContentDigest()
        var length = 0
        if let variant {
            guard (try? FileIO.stream(variant, { checksum.update($0); length += $0.count })) != nil else { return }
        }
        let path = entryPath(key, encoding, streaming: streaming)
        let header = Array("\(Self.magic) \(ContentDigest.hex(checksum.finalize())) \(length) \(variant == nil ? 0 : 1)\n".utf8)
        let folder = String(path[..<path.lastIndex(of: "/")!])
        guard FileIO.makeDirectories(folder) else { return }
        try? FileIO.replace(path) { out in
            var failure = header.withUnsafeBytes { FileIO.writeAll(out, $0) }
            if failure == 0, let variant {
                let input = open(variant, O_RDONLY | O_CLOEXEC)
                if input < 0 || !Self.copy(from: input, offset: 0, to: out, { _ in }) { failure = EIO }
                if input >= 0 { _ = closeDescriptor(input) }
            }
            return failure
        }
    }

    /// The number of entries and their bytes.
    public func usage() -> (entries: Int, bytes: Int64) {
        let entries = listEntries()
        return (entries.count, entries.reduce(0) { $0 + $1.size })
    }

    /// Removes the least recently used entries (by mtime, refreshed on use at most hourly)
    /// until the cache is at most ``maxSize``, and
    /// temporary files more than an hour old (left by a killed run). Returns what went.
    /// `now` (seconds since the epoch) defaults to the current time.
    @discardableResult
    public func trim(now: Double? = nil) -> (entries: Int, bytes: Int64) {
        let now = now ?? Double(time(nil))
        var entries = listEntries(includeTemporary: true)
        var removed = (entries: 0, bytes: Int64(0))
        for entry in entries where entry.temporary && now - entry.mtime > 3600 {
            if unlink(entry.path) == 0 { removed.entries += 1; removed.bytes += entry.size }
        }
        entries.removeAll { $0.temporary }
        var total = entries.reduce(0) { $0 + $1.size }
        guard total > maxSize else { return removed }
        for entry in entries.sorted(by: { $0.mtime < $1.mtime }) where total > maxSize {
            if unlink(entry.path) == 0 || errno == ENOENT {
                total -= entry.size
                removed.entries += 1
                removed.bytes += entry.size
            }
        }
        return removed
    }

    /// Removes every entry.
    public func clear() {
        for entry in listEntries(includeTemporary: true) { unlink(entry.path) }
    }

    private struct Listed {
        var path: String
        var size: Int64
        var mtime: Double
        var temporary: Bool
    }

    private func listEntries(includeTemporary: Bool = false) -> [Listed] {
        var out: [Listed] = []
        for path in FileIO.walk(directory + "/" + Self.layoutVersion) {
            var st = stat()
            guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            let temporary = path[path.index(after: path.lastIndex(of: "/")!)...].hasPrefix(".")
            if temporary, !includeTemporary { continue }
            let t = st.modificationTime
            out.append(Listed(path: path, size: Int64(st.st_size), mtime: Double(t.tv_sec) + Double(t.tv_nsec) / 1e9, temporary: temporary))
        }
        return out
    }

    private struct Header {
        var checksum: UInt64
        var length: Int
        var effective: Bool
    }

    /// The header line and its length in bytes, or `nil` when it is not a whole header.
    private static func readHeader(_ fd: Int32) -> (Header, Int)? {
        var buffer = [UInt8](repeating: 0, count: 96)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0, let newline = buffer[..<n].firstIndex(of: 10) else { return nil }
        let fields = String(decoding: buffer[..<newline], as: UTF8.self).split(separator: " ")
        guard fields.count == 5, "\(fields[0]) \(fields[1])" == magic, fields[2].count == 16,
            let checksum = UInt64(fields[2], radix: 16), let length = Int(fields[3]), length >= 0, fields[4] == "0" || fields[4] == "1"
        else { return nil }
        return (Header(checksum: checksum, length: length, effective: fields[4] == "1"), newline + 1)
    }

    /// Copies `from` (from `offset` to its end) to `to`, passing each chunk to `body`.
    private static func copy(from: Int32, offset: Int, to: Int32, _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        var position = off_t(offset)
        while true {
            let n = pread(from, chunk.baseAddress, chunk.count, position)
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { return false }
            if n == 0 { return true }
            let bytes = UnsafeRawBufferPointer(rebasing: chunk[0..<n])
            body(bytes)
            guard FileIO.writeAll(to, bytes) == 0 else { return false }
            position += off_t(n)
        }
    }

}

extension ContentCoding {
    /// The codec, its settings and its library's version: part of every cache key.
    var cacheIdentity: String {
        switch self {
        case .gzip: return "gzip-9-zlib\(String(cString: zlibVersion()))"
        case .br:
            let v = BrotliEncoderVersion()
            return "br-11-w22-brotli\(v >> 24).\((v >> 12) & 0xFFF).\(v & 0xFFF)"
        case .zstd: return "zstd-19-zstd\(Zstd.shared?.versionNumber?() ?? 0)"
        case .identity: return "identity"
        }
    }
}
