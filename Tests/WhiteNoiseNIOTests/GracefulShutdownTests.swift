#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
import WhiteNoiseNIO
import WhiteNoiseTestSupport

/// `whitenoise serve` stopping on SIGTERM/SIGINT while clients are connected: responses in
/// progress finish, idle connections end at once, new connections are refused, and the grace
/// period (or a second signal) bounds it all.
@Suite(.serialized, .offCooperativePool) struct GracefulShutdownTests {
    static let size = 24 << 20

    /// Runs `body` with a server on a tree holding a 24 MiB file, and its port; the server is
    /// killed and the tree removed afterwards, however `body` ends.
    func withServer(_ backend: StaticFileServer.Backend, gracefulTimeout: String,
                    _ body: (CLIProcess, Int) throws -> Void) throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("big.bin", Data(repeating: 0x5a, count: Self.size))
        try tree.write("small.txt", "ok")
        let server = try CLIProcess(["serve", tree.root, "--port", "0", "--threads", "1", "--backend", backend.rawValue,
                                     "--graceful-timeout", gracefulTimeout])
        defer {
            server.signal(SIGKILL)
            _ = server.waitForExit()
        }
        let line = try #require(server.waitForLine(containing: "listening on"))
        try body(server, try #require(Int(line.split(separator: ":").last ?? "")))
    }

    /// Expects the server to exit with status 0; returns its stderr.
    @discardableResult
    func expectCleanExit(_ server: CLIProcess) -> String {
        let status = server.waitForExit()
        let stderr = server.standardError()
        #expect(status == 0, "the server's stderr: \(stderr)")
        return stderr
    }

    /// Reads give up after this many seconds: well under the server's 30 s idle timeout, so
    /// a connection that ends within it was ended by the shutdown, not by that timeout.
    static let readTimeout = 10

    /// A connection in the middle of a 24 MiB response: its head and 1 MiB read, the rest
    /// left in the server's hands (the client stops reading).
    func busyConnection(port: Int) throws -> RawHTTPConnection {
        let busy = try RawHTTPConnection(port: port, timeout: Self.readTimeout)
        try busy.send("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try busy.readSome(atLeast: 1 << 20) >= 1 << 20)
        return busy
    }

    @Test(arguments: StaticFileServer.Backend.available)
    func responsesInProgressFinishIdleConnectionsEndNewOnesAreRefused(_ backend: StaticFileServer.Backend) throws {
        try withServer(backend, gracefulTimeout: "600") { server, port in
            let idle = try RawHTTPConnection(port: port, timeout: Self.readTimeout)
            #expect(try idle.request("GET", "/small.txt").text == "ok")  // now an idle keep-alive connection
            let busy = try busyConnection(port: port)

            server.signal(SIGTERM)
            // The idle connection ends at once, with a FIN, though the grace period is 10 minutes
            // (and long before the server's idle timeout).
            #expect(idle.endsCleanly())
            idle.close()  // as a client does once it sees the end
            // From then on nobody new gets in, while the busy response is still being sent.
            #expect((try? RawHTTPConnection(port: port)) == nil)
            #expect(server.isRunning)

            // The busy client, reading again, gets every byte of its response, then the end.
            let response = try busy.readResponse()
            #expect(response.status == 200 && response.body.count == Self.size && response.body.last == 0x5a)
            #expect(busy.endsCleanly())
            busy.close()
            #expect(!expectCleanExit(server).contains("still open"))
        }
    }

    @Test(arguments: StaticFileServer.Backend.available)
    func theGracePeriodBoundsAClientThatStopsReading(_ backend: StaticFileServer.Backend) throws {
        try withServer(backend, gracefulTimeout: "0.5") { server, port in
            let busy = try busyConnection(port: port)
            server.signal(SIGTERM)
            // The client never reads again; the server still stops, cleanly, after half a second.
            #expect(expectCleanExit(server).contains("1 connection still open at the end of the grace period"))
            // What the client gets is cut short of its Content-Length.
            #expect((try? busy.readResponse()) == nil)
        }
    }

    @Test(arguments: StaticFileServer.Backend.available)
    func aSecondSignalStopsAtOnce(_ backend: StaticFileServer.Backend) throws {
        try withServer(backend, gracefulTimeout: "600") { server, port in
            let busy = try busyConnection(port: port)
            server.signal(SIGTERM)
            #expect(server.waitForStandardError(containing: "received signal \(SIGTERM), shutting down"))
            #expect(server.isRunning)  // waiting for the busy client, for up to 10 minutes
            server.signal(SIGINT)
            #expect(expectCleanExit(server).contains("again, closing every connection now"))
            #expect((try? busy.readResponse()) == nil)
        }
    }
}
