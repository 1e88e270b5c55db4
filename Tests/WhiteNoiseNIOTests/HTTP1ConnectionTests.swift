import HTTPTypes
import NIOCore
import Testing
import WhiteNoise
import WhiteNoiseTestSupport
@testable import WhiteNoiseNIO

/// The connection core without a socket: bytes and events in, steps and actions out.
@Suite final class HTTP1ConnectionTests {
    static let second: Int64 = 1_000_000_000
    let tree: TempTree
    let files: StaticFiles

    init() throws {
        tree = try TempTree()
        _ = try tree.write("a.txt", "hello")
        files = try makeFiles(tree.root)
    }

    deinit { tree.remove() }

    func connection(timeout: Int64 = 30 * second, observesProgress: Bool = true, now: Int64 = 0) -> HTTP1Connection {
        HTTP1Connection(files: files, timeout: timeout, observesProgress: observesProgress, now: now)
    }

    /// Every step until the core needs more bytes: each response's status and persistence.
    func steps(_ core: inout HTTP1Connection, _ text: String, now: Int64 = 0) -> [(Int, HeadTail.Persistence)] {
        var buffer = ByteBuffer(string: text)
        return steps(&core, &buffer, now: now)
    }

    func steps(_ core: inout HTTP1Connection, _ buffer: inout ByteBuffer, now: Int64 = 0) -> [(Int, HeadTail.Persistence)] {
        var out: [(Int, HeadTail.Persistence)] = []
        while true {
            switch core.nextStep(in: &buffer, now: now) {
            case .respond(let response, let persistence):
                out.append((response.status.code, persistence))
            case .respondMayBlock(let request, let persistence):  // a file's first use
                out.append((request.response().status.code, persistence))
            case .needMoreInput, .dropInput:
                return out
            }
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrderAndAnIncompleteOneWaits() {
        var core = connection()
        var buffer = ByteBuffer(string: "GET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /static/missing HTTP/1.1\r\nHost: x\r\n\r\nHEAD /static/a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /static/a.t")
        let answered = steps(&core, &buffer)
        #expect(answered.map(\.0) == [200, 404, 200])
        #expect(answered.map(\.1) == [.implicit, .implicit, .keepAlive])
        #expect(buffer.readableBytes == "GET /static/a.t".utf8.count)  // kept for the next read
        #expect(core.isOpen)
        buffer.writeString("xt HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(steps(&core, &buffer).map(\.0) == [200])
    }

    @Test func onlyAFilesFirstUseMayBlock() {
        var core = connection()
        var buffer = ByteBuffer(string: "GET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        guard case .respondMayBlock(let request, _) = core.nextStep(in: &buffer, now: 0) else {
            Issue.record("the first use did not say it may block")
            return
        }
        #expect(request.response().status == .ok)  // prepares the file
        guard case .respond(let second, _) = core.nextStep(in: &buffer, now: 0) else {
            Issue.record("a prepared file was not answered at once")
            return
        }
        #expect(second.status == .ok)
        guard case .respond(let miss, _) = core.nextStep(in: &buffer, now: 0) else {
            Issue.record("a miss was not answered at once")
            return
        }
        #expect(miss.status == .notFound && miss.headerFields[.cacheControl] == "no-store")
    }

    @Test func aBodyIsSkippedAcrossReads() {
        var core = connection()
        var first = ByteBuffer(string: "GET /static/a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345")
        #expect(steps(&core, &first).map(\.0) == [200])
        #expect(core.bodyBytesToSkip == 5 && first.readableBytes == 0)
        // The rest of the body, then a request: the body's bytes are never parsed as a head.
        #expect(steps(&core, "GET /GET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n").map(\.0) == [200])
        #expect(core.bodyBytesToSkip == 0)
    }

    @Test func connectionCloseEndsReadingThenLingersOnceTheOutputIsOut() {
        var core = connection()
        let answered = steps(&core, "GET /static/a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(answered.map(\.0) == [200] && answered.map(\.1) == [.close])  // the second request is not answered
        #expect(core.phase == .closingAfterOutput)
        var later = ByteBuffer(string: "GET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        guard case .dropInput = core.nextStep(in: &later, now: 0) else { Issue.record("input read while closing"); return }
        #expect(later.readableBytes == 0)
        core.outputQueued(now: 1)
        #expect(core.outputSent(now: 5 * Self.second) == .linger)
        #expect(core.phase == .lingering(since: 5 * Self.second))
        #expect(core.deadline == 5 * Self.second + HTTP1Connection.lingerTime)
    }

    @Test(arguments: [
        ("GET /static/a.txt HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "a", count: 40_000) + "\r\n\r\n", 431),
        ("GET /static/a.txt HTTP/1.1\nHost: x\n\n", 400),
        ("GET /static/a.txt HTTP/9.9\r\nHost: x\r\n\r\n", 505),
        ("GET /static/a.txt HTTP/1.1\r\n\r\n", 400),
    ])
    func aBadHeadIsAnsweredOnceThenTheConnectionCloses(_ text: String, _ status: Int) {
        var core = connection()
        let answered = steps(&core, text + "GET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(answered.map(\.0) == [status] && answered.map(\.1) == [.close])
        #expect(!core.isOpen)
    }

    @Test func anOversizedIncompleteHeadIsRefusedBeforeItEnds() {
        var core = connection()
        let answered = steps(&core, "GET /static/a.txt HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "a", count: 40_000))
        #expect(answered.map(\.0) == [431])
    }

    @Test func aHeadMustArriveWithinTheTimeoutOfTheLastResponse() {
        var core = connection(timeout: 10 * Self.second, now: 0)
        #expect(core.deadline == 10 * Self.second)
        #expect(steps(&core, "GET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n", now: 4 * Self.second).count == 1)
        core.outputQueued(now: 4 * Self.second)
        #expect(core.outputSent(now: 6 * Self.second) == .none)
        #expect(core.deadline == 16 * Self.second)  // from the end of the response
        // Half a head does not move the deadline: only a whole one does.
        #expect(steps(&core, "GET /static/a.txt HTTP/1.1\r\n", now: 15 * Self.second).isEmpty)
        #expect(core.deadline == 16 * Self.second)
    }

    @Test func aStalledResponseTimesOutWhereProgressIsObserved() {
        var core = connection(timeout: 10 * Self.second)
        _ = steps(&core, "GET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n", now: 1 * Self.second)
        core.outputQueued(now: 1 * Self.second)
        #expect(core.deadline == 11 * Self.second)
        core.progressed(now: 8 * Self.second)
        #expect(core.deadline == 18 * Self.second)  // a slow reader that reads is not stalled

        var blind = connection(timeout: 10 * Self.second, observesProgress: false)
        blind.outputQueued(now: 1 * Self.second)
        #expect(blind.deadline == .max)  // in flight, progress unknown: the driver checks again later
        #expect(blind.outputSent(now: 100 * Self.second) == .none)
        #expect(blind.deadline == 110 * Self.second)
    }

    @Test func aShutdownMidResponseLetsItFinishThenLingers() {
        var core = connection()
        _ = steps(&core, "GET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        core.outputQueued(now: 0)
        core.outputQueued(now: 0)  // two parts in flight (NIO: a region and a flush)
        #expect(core.quiesce(now: 1) == .none)
        var request = ByteBuffer(string: "GET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        guard case .dropInput = core.nextStep(in: &request, now: 1) else {
            Issue.record("a request read after the shutdown")
            return
        }
        #expect(core.outputSent(now: 2) == .none)
        #expect(core.outputSent(now: 3) == .linger)
        #expect(core.quiesce(now: 4) == .none)  // a second shutdown changes nothing
        #expect(core.phase == .lingering(since: 3))
    }

    @Test func anIdleConnectionLingersAtOnceOnShutdown() {
        var core = connection()
        #expect(core.quiesce(now: 7) == .linger)
        #expect(core.phase == .lingering(since: 7))
    }

    @Test func aHalfClosedPeersRequestsAreAnsweredThenTheConnectionClosesWithoutLingering() {
        // The driver hands over what was received before the FIN, then says so.
        var core = connection()
        #expect(steps(&core, "GET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n").count == 2)
        core.outputQueued(now: 1)
        #expect(core.inputClosed(now: 2) == .none)  // the responses are not out yet
        #expect(core.outputSent(now: 3) == .close)
        var idle = connection()
        #expect(idle.inputClosed(now: 1) == .close)
        var lingering = connection()
        #expect(lingering.quiesce(now: 1) == .linger)
        #expect(lingering.inputClosed(now: 2) == .close)  // the peer's FIN ends the linger
    }
}

