#if Vapor
import Dispatch
import Foundation
import Testing
import WhiteNoise
import WhiteNoiseTestSupport

/// What only the Vapor adapter has to show: it needs no thread of Swift's cooperative pool.
@Suite(.offCooperativePool) struct VaporAdapterTests {
    /// With every thread of Swift's cooperative pool held busy, a static hit and a request for
    /// one of the app's (synchronous) routes are still answered: the middleware answers on the
    /// event loop and passes other requests on as they came. An `AsyncMiddleware` starts a
    /// task per request, and both would wait for the pool.
    @Test func requestsAreAnsweredWhileTheCooperativePoolIsBusy() async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("a.css", "body{}")
        try await withLiveServer(try makeFiles(tree.root), on: .vapor) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port, timeout: 5)
            #expect(try c.request("GET", "/static/a.css").text == "body{}")  // prepared now
            let busy = PoolBlockers()
            #expect(busy.holdEveryThread(), "the pool's threads could not all be held")
            let hit = Result { try c.request("GET", "/static/a.css") }
            let route = Result { try c.request("GET", "/app") }
            let stillHeld = busy.heldCount
            busy.release()
            #expect(stillHeld == busy.width, "a pool thread was released before the answers came")
            #expect(try hit.get().text == "body{}")
            #expect(try route.get().text == "from the app")
        }
    }
}

/// Tasks that block every thread of Swift's cooperative pool until released.
private final class PoolBlockers: @unchecked Sendable {
    /// The pool's width: one thread per core.
    let width = ProcessInfo.processInfo.activeProcessorCount
    private let started = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var held = 0

    /// How many blockers are running now.
    var heldCount: Int { lock.withLock { held } }

    /// Starts one blocking task per pool thread; `true` once all of them run (each holds a
    /// thread, so then no other task can run on the pool).
    func holdEveryThread() -> Bool {
        for _ in 0..<width {
            Task.detached { [self] in
                lock.withLock { held += 1 }
                started.signal()
                released.wait()
                lock.withLock { held -= 1 }
            }
        }
        // Other tests' work may hold a pool thread for a moment; a thread is ours once it
        // starts a blocker.
        return (0..<width).allSatisfy { _ in started.wait(timeout: .now() + 30) == .success }
    }

    /// Lets every blocker end.
    func release() {
        for _ in 0..<width { released.signal() }
    }
}
#endif
