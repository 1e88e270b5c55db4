#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
import WhiteNoise
import WhiteNoiseTestSupport

/// A file rewritten while clients download it (Docs/serving.md, "Files that change"):
/// every complete body is exactly one version of the file, with that version's length and
/// entity tag; otherwise the answer is a 503 with `Retry-After`, or the connection ends
/// before the body is complete.
@Suite(.serialized, .offCooperativePool) struct ChangingFileTests {
    /// The versions written, all of different sizes and different at every byte, larger than
    /// the in-memory limit so that they are sent from disk.
    static let versions: [[UInt8]] = (0..<8).map { v in
        (0..<(300_000 + v * 4_099)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ v &* 37) }
    }

    /// The servers that hold what they prepared (cached mode): autorefresh reads the file on
    /// every request and only waits briefly for it to settle (Docs/serving.md).
    @Test(.serialized, arguments: ServerKind.cachedCases)
    func everyBodyIsOneVersionWhileTheFileIsRewritten(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let path = try tree.write("app.bin", Data(Self.versions[0]))
        let files = try makeFiles(tree.root)
        try await withLiveServer(files, on: server) { (port: Int) async throws in
            #expect(try RawHTTPConnection(port: port).request("GET", "/static/app.bin").body == Self.versions[0])
            let tally = Tally()
            let clients = startClients(port: port, tally: tally)
            // Four storms of six changes 10 ms apart, alternately an atomic rename and a
            // rewrite in place (truncate, then the new bytes in three writes), each followed by
            // a quiet time in which the last version settles and is served.
            var last = 0
            for storm in 0..<4 {
                for change in 1...6 {
                    last = (storm * 6 + change) % Self.versions.count
                    if change % 2 == 0 { try replaceByRename(path, Self.versions[last]) } else { rewriteInPlace(path, Self.versions[last]) }
                    usleep(10_000)
                }
                usleep(UInt32(StaticFiles.changedFileQuietTime / 1000) + 150_000)
            }
            tally.record { $0.writing = false }
            clients.wait()
            let t = tally.snapshot()
            print("changing file on \(server): \(t)")
            #expect(t.wrong.count == 0, "wrong answers, e.g. \(t.wrong.prefix(3))")
            #expect(t.etagsAgree, "an entity tag was sent with two different versions")
            // Not vacuous: the clients saw the file change under them, and the last version is
            // served once it has settled.
            #expect(t.complete >= 20 && t.versionsSeen.count >= 3, "\(t)")
            #expect(try RawHTTPConnection(port: port).request("GET", "/static/app.bin").body == Self.versions[last])
        }
    }

    /// The last bytes of a body are sent only once the file is known to be unchanged: a file
    /// rewritten in place while it is being sent (shorter version to longer) ends the
    /// connection instead of completing a body that mixes both. Forty files, each rewritten
    /// once while every client downloads it, so that many sends are caught mid-way.
    ///
    /// Truncated first, then written: sendfile is zero-copy, so the bytes it queued still
    /// reference the file's pages until the client reads them, and only a truncation detaches
    /// those pages. Bytes overwritten in place without truncating can reach a client after
    /// the check (the window Docs/serving.md states); the adapters that copy the bytes
    /// (Vapor, Hummingbird) are tested with overwrites too.
    @Test(.serialized, arguments: ServerKind.cachedCases)
    func aFileRewrittenMidSendNeverCompletesAMixedBody(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let count = 40
        let paths = try (0..<count).map { try tree.write("f\($0).bin", Data(Self.versions[0])) }
        let files = try makeFiles(tree.root)
        try await withLiveServer(files, on: server) { (port: Int) async throws in
            let warm = try RawHTTPConnection(port: port)
            for i in 0..<count { #expect(try warm.request("GET", "/static/f\(i).bin").body == Self.versions[0]) }
            let tally = Tally()
            let clients = startClients(port: port, tally: tally) { "/static/f\($0.target).bin" }
            for i in 0..<count {
                tally.record { $0.target = i }
                usleep(10_000)
                rewriteInPlace(paths[i], Self.versions[1], truncating: !server.copiesFileBytes || i % 2 == 0)
                usleep(5_000)
            }
            tally.record { $0.writing = false }
            clients.wait()
            let t = tally.snapshot()
            print("rewritten mid-send on \(server): \(t)")
            #expect(t.wrong.count == 0, "wrong answers, e.g. \(t.wrong.prefix(3))")
            #expect(t.complete >= 10, "\(t)")
        }
    }
}

extension ServerKind {
    /// Whether the server copies file bytes into its own buffers rather than using sendfile.
    var copiesFileBytes: Bool { self == .vapor || self == .hummingbird }
}

/// What the clients saw.
private final class Tally: @unchecked Sendable {
    struct Snapshot: CustomStringConvertible {
        var writing = true
        /// The file the clients download (index), for tests with several.
        var target = 0
        var complete = 0, unavailable = 0, aborted = 0
        var wrong: [String] = []
        var versionsSeen: Set<Int> = []
        var etagVersion: [String: Int] = [:]
        var etagsAgree = true
        var description: String { "\(complete) complete, \(unavailable) 503, \(aborted) aborted, versions \(versionsSeen.sorted())" }
    }
    private let lock = NSLock()
    private var s = Snapshot()

    func record(_ change: (inout Snapshot) -> Void) {
        lock.lock()
        change(&s)
        lock.unlock()
    }

    func snapshot() -> Snapshot {
        lock.lock()
        defer { lock.unlock() }
        return s
    }
}

/// Eight clients downloading (`target`) until the tally says the writer is done; returns
/// what waits for them to finish.
private func startClients(port: Int, tally: Tally,
                          target: @escaping @Sendable (Tally.Snapshot) -> String = { _ in "/static/app.bin" }) -> DispatchGroup {
    let group = DispatchGroup()
    for _ in 0..<8 {
        group.enter()
        Thread.detachNewThread {
            defer { group.leave() }
            download(port: port, into: tally, target: target)
        }
    }
    return group
}

/// One keep-alive client: GETs until the writer is done, checking each answer.
private func download(port: Int, into tally: Tally, target: (Tally.Snapshot) -> String) {
    var connection: RawHTTPConnection?
    while true {
        let now = tally.snapshot()
        guard now.writing else { break }
        do {
            let c = try connection ?? RawHTTPConnection(port: port)
            connection = c
            let r = try c.request("GET", target(now))
            // A client told to retry later waits a little, as a real one would (at full speed,
            // eight clients turn a 503 into tens of thousands a second and starve the other
            // tests' servers of the machine's two cores).
            if r.status == 503 { usleep(2_000) }
            tally.record { s in
                switch r.status {
                case 200:
                    guard let v = ChangingFileTests.versions.firstIndex(of: r.body) else {
                        return s.wrong.append("200 with \(r.body.count) bytes that are no version: \(r.headers)")
                    }
                    s.complete += 1
                    s.versionsSeen.insert(v)
                    let etag = r["etag"] ?? ""
                    let key = target(now) + etag
                    if let known = s.etagVersion[key], known != v { s.etagsAgree = false }
                    s.etagVersion[key] = v
                case 503 where r["retry-after"] == "1":
                    s.unavailable += 1
                default:
                    s.wrong.append("status \(r.status) with \(r.body.count) bytes")
                }
            }
        } catch RawHTTPError.closed, RawHTTPError.reset {
            tally.record { $0.aborted += 1 }
            connection = nil
        } catch {
            tally.record { $0.wrong.append("\(error)") }
            connection = nil
        }
    }
}

/// Writes `bytes` to a new file beside `path` and renames it over `path`.
private func replaceByRename(_ path: String, _ bytes: [UInt8]) throws {
    let temporary = path + ".new"
    try Data(bytes).write(to: URL(fileURLWithPath: temporary))
    #expect(rename(temporary, path) == 0)
}

/// Writes `bytes` into the same file in three pieces, having truncated it first (or not: then
/// the new bytes overwrite the old ones).
private func rewriteInPlace(_ path: String, _ bytes: [UInt8], truncating: Bool = true) {
    let fd = open(path, O_WRONLY | (truncating ? O_TRUNC : 0))
    #expect(fd >= 0)
    let third = bytes.count / 3
    for piece in [0..<third, third..<2 * third, 2 * third..<bytes.count] {
        let n = bytes[piece].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        #expect(n == piece.count)
    }
    close(fd)
}
