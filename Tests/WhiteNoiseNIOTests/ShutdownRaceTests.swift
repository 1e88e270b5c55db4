import Foundation
import Logging
import NIOCore
import Testing
import WhiteNoise
import WhiteNoiseNIO
import WhiteNoiseTestSupport

/// Two shutdown calls at once, the second shorter (as `serve` makes on a second signal): both
/// return, on both backends, even when the second stops the event loops while the first still
/// waits for a connection in the middle of a response.
///
/// Disabled until the remaining race is found (issue #11): with the fix of 2026-12-04 it fails
/// about one full run in fifteen on the NIO backend (one call does not return), down from six
/// runs in eight before. Run it with `WHITENOISE_STRESS=1 swift test --filter ShutdownRaceTests`.
@Suite(.serialized, .offCooperativePool,
       .enabled(if: ProcessInfo.processInfo.environment["WHITENOISE_STRESS"] == "1",
                "a known remaining shutdown race (issue #11); WHITENOISE_STRESS=1 runs it"))
struct ShutdownRaceTests {
    /// Rounds per backend: the race was lost about once in a few rounds under load.
    static let rounds = 25

    @Test(arguments: StaticFileServer.Backend.available)
    func aSecondShorterShutdownEndsBothCalls(_ backend: StaticFileServer.Backend) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("big.bin", Data(repeating: 0x5a, count: 8 << 20))
        let files = try makeFiles(tree.root)
        for round in 0..<Self.rounds {
            var config = StaticFileServer.Configuration()
            config.backend = backend
            config.port = 0
            config.threads = 2  // the calls may wait on different loops
            var logger = Logger(label: "test.race")
            logger.logLevel = .critical
            let server = StaticFileServer(files: files, configuration: config, logger: logger)
            let port = try #require(try await server.start().port)
            // A connection in the middle of a response: its head and 1 MiB read, the rest left.
            let busy = try RawHTTPConnection(port: port)
            try busy.send("GET /static/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try busy.readSome(atLeast: 1 << 20) >= 1 << 20)

            let first = Task { try await server.shutdown(gracePeriod: .seconds(600)) }
            // The first call has begun once the listening socket refuses connections.
            // Bounded by time, not by a count: under load the backend's loop may take a while
            // to close its listener, and refused connects are fast.
            let deadline = ContinuousClock.now + .seconds(10)
            var refused = false
            while !refused, ContinuousClock.now < deadline {
                refused = (try? RawHTTPConnection(port: port, timeout: 1)) == nil
                await Task.yield()
            }
            #expect(refused, "the listening socket stayed open after shutdown began")
            let second = Task { try await server.shutdown(gracePeriod: .zero) }
            // Both calls must return; a hang is reported as a failure, not waited out (the
            // hung call is left behind: a task's value cannot be cancelled).
            let ended = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let once = ResumeOnce(continuation)
                Task {
                    _ = try? await first.value
                    _ = try? await second.value
                    once.resume(true)
                }
                Task { try? await Task.sleep(for: .seconds(20)); once.resume(false) }
            }
            #expect(ended, "round \(round): a shutdown call did not return within 20 s")
            if !ended { break }
            busy.close()
        }
    }
}

/// Resumes a continuation with the first value given, ignoring later ones.
final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Bool, Never>?

    init(_ continuation: CheckedContinuation<Bool, Never>) {
        self.continuation = continuation
    }

    func resume(_ value: Bool) {
        lock.lock()
        let pending = continuation
        continuation = nil
        lock.unlock()
        pending?.resume(returning: value)
    }
}
