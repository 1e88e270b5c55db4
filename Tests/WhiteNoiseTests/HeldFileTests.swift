import Foundation
import HTTPTypes
import NIOCore
import Testing
@testable import WhiteNoise
import WhiteNoiseTestSupport

/// Files sent from disk keep their descriptor (Docs/serving.md, "Held descriptors"), in
/// process: how many stay open, what a rename over a held file gives, and the snapshot rule
/// that refuses a `stat` taken mid-truncation.
@Suite(.offCooperativePool) struct HeldFileTests {
    static func get(_ files: StaticFiles, _ target: String) -> StaticResponse? {
        files.respond(method: .get, target: target, fields: RequestFields())
    }

    static func body(_ response: StaticResponse) throws -> String {
        guard case .file(let slice) = response.body else { return "not from disk" }
        let buffer = try slice.file.read(offset: slice.offset, count: Int(slice.length), allocator: ByteBufferAllocator())
        return String(buffer: buffer)
    }

    @Test func atMostTheConfiguredNumberOfFilesStayOpen() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        for i in 0..<12 { try tree.write("f\(i).txt", "file \(i)") }
        let files = try makeFiles(tree.root) { c in
            c.maximumInMemoryFileSize = 0
            c.maximumHeldFiles = 4
        }
        for i in 0..<12 {
            let response = try #require(Self.get(files, "/static/f\(i).txt"))
            #expect(try Self.body(response) == "file \(i)")
        }
        #expect(files.context.heldDescriptors.openCount == 4)
        // An evicted file is opened again by path, and held again in place of another.
        #expect(try Self.body(#require(Self.get(files, "/static/f0.txt"))) == "file 0")
        #expect(files.context.heldDescriptors.openCount == 4)
    }

    @Test func aFileRenamedOverKeepsItsHeldVersionUntilTheNewOneSettles() async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let path = try tree.write("app.txt", "version one")
        let files = try makeFiles(tree.root) { c in c.maximumInMemoryFileSize = 0 }
        let first = try #require(Self.get(files, "/static/app.txt"))
        #expect(try Self.body(first) == "version one")
        let changed = ContinuousClock.now
        try tree.write("app.txt.new", "version two, longer")
        #expect(rename(path + ".new", path) == 0)
        let held = try #require(Self.get(files, "/static/app.txt"))
        if ContinuousClock.now - changed < .nanoseconds(StaticFiles.changedFileQuietTime) {  // not settled yet
            #expect(try Self.body(held) == "version one" && held.headerFields[.eTag] == first.headerFields[.eTag])
            #expect(held.headerFields[.contentLength] == "11")
        }
        try await Task.sleep(nanoseconds: UInt64(StaticFiles.changedFileQuietTime) + 50_000_000)  // the documented quiet time
        let settled = try #require(Self.get(files, "/static/app.txt"))
        #expect(try Self.body(settled) == "version two, longer" && settled.headerFields[.eTag] != first.headerFields[.eTag])
    }

    @Test func aFileRewrittenInPlaceIsUnavailableUntilItSettles() async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("app.txt", "version one")
        let files = try makeFiles(tree.root) { c in c.maximumInMemoryFileSize = 0 }
        #expect(try Self.body(#require(Self.get(files, "/static/app.txt"))) == "version one")
        let changed = ContinuousClock.now
        try tree.write("app.txt", "version two, longer")  // truncated and rewritten
        let changing = try #require(Self.get(files, "/static/app.txt"))
        if ContinuousClock.now - changed < .nanoseconds(StaticFiles.changedFileQuietTime) {  // not settled yet
            #expect(changing.status == .serviceUnavailable && changing.headerFields[.retryAfter] == "1")
        }
        try await Task.sleep(nanoseconds: UInt64(StaticFiles.changedFileQuietTime) + 50_000_000)  // the documented quiet time
        #expect(try Self.body(#require(Self.get(files, "/static/app.txt"))) == "version two, longer")
    }

    /// A `stat` taken while a truncation runs sees the new size with the old times: it must
    /// not pass for a version.
    @Test func aStatusWithTheSameChangeTimeAndAnotherSizeContradicts() {
        let known = FileSnapshot(size: 300_000, mtimeSeconds: 10, mtimeNanoseconds: 5, inode: 7, ctimeNanoseconds: 10_000_000_005, device: 1)
        var torn = known
        torn.size = 0
        #expect(torn.contradicts(known))
        var changed = torn
        changed.ctimeNanoseconds += 4_000_000
        #expect(!changed.contradicts(known))
        var other = torn
        other.inode = 8
        #expect(!other.contradicts(known) && !known.contradicts(known))
    }
}
