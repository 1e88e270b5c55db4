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

/// `whitenoise serve` as a user runs it: a real child process on a loopback port.
@Suite(.serialized, .offCooperativePool) struct ServeCommandTests {
    @Test func badFlagsAndMissingRootFailClearly() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let (s1, _, e1) = try CLIProcess.run(["serve", tree.root, "--bogus"])
        #expect(s1 == 64 && e1.contains("--bogus") && e1.contains("Usage:"))  // usage errors: usage text, 64
        let (s2, _, e2) = try CLIProcess.run(["serve", tree.root + "/missing"])
        #expect(s2 == 1 && e2.contains("no directory at") && !e2.contains("Usage:"))  // runtime errors: the error alone, 1
        let (s3, _, e3) = try CLIProcess.run(["serve", tree.root, "--port", "70000"])
        #expect(s3 == 64 && e3.contains("--port"))
        let (s4, _, e4) = try CLIProcess.run(["serve", tree.root, "--immutable-file-test", "([unclosed"])
        #expect(s4 == 64 && e4.contains("--immutable-file-test '([unclosed': not a valid regular expression"))
        let (s5, _, e5) = try CLIProcess.run(["serve", tree.root, "--max-age", "-5"])
        #expect(s5 == 64 && e5.contains("--max-age"))
        let (s6, _, e6) = try CLIProcess.run(["serve", tree.root, "--backend", "kqueue"])
        #expect(s6 == 64 && e6.contains("--backend") && e6.contains("kqueue"))
    }

    @Test(arguments: StaticFileServer.Backend.available)
    func aPortInUseIsARuntimeErrorWithExitStatusOne(_ backend: StaticFileServer.Backend) throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let first = try CLIProcess(["serve", tree.root, "--port", "0"])
        defer {
            first.signal(SIGTERM)
            _ = first.waitForExit()
        }
        let line = try #require(first.waitForLine(containing: "listening on"))
        let port = try #require(line.split(separator: ":").last.map { String($0) })
        let (status, _, errors) = try CLIProcess.run(["serve", tree.root, "--port", port, "--backend", backend.rawValue])
        #expect(status == 1)
        #expect(errors.contains("cannot listen on 127.0.0.1:\(port): Address already in use"))
        #expect(!errors.contains("Usage:"))
    }

    @Test func servesFromASettingsFile() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("out/app.css", "body{}")
        try tree.write("public/robots.txt", "User-agent: *")
        try tree.write("settings.yaml", "STATIC_ROOT: out\nSTATIC_URL: https://cdn.example.com/assets/\nWHITENOISE_ROOT: public\n")
        let server = try CLIProcess(["serve", "--settings", tree.root + "/settings.yaml", "--set", "WHITENOISE_MAX_AGE=7",
                                     "--charset", "latin-1", "--port", "0"])
        defer {
            server.signal(SIGTERM)
            _ = server.waitForExit()
        }
        let line = try #require(server.waitForLine(containing: "listening on"))
        let port = try #require(Int(line.split(separator: ":").last ?? ""))
        let c = try RawHTTPConnection(port: port)
        let css = try c.request("GET", "/assets/app.css")  // the path of the CDN's STATIC_URL
        #expect(css.text == "body{}" && css["cache-control"] == "max-age=7, public")
        #expect(css["content-type"] == "text/css; charset=latin-1")  // a flag overrides the settings
        #expect(try c.request("GET", "/robots.txt").status == 200)
        let (bad, _, err) = try CLIProcess.run(["serve", tree.root, "--settings", tree.root + "/settings.yaml"])
        #expect(bad != 0 && err.contains("not both"))
        // An explicit ROOT is served even when WHITENOISE_SETTINGS names a settings file.
        let plain = try CLIProcess(["serve", tree.root + "/out", "--port", "0"], environment: ["WHITENOISE_SETTINGS": tree.root + "/settings.yaml"])
        defer {
            plain.signal(SIGTERM)
            _ = plain.waitForExit()
        }
        let plainLine = try #require(plain.waitForLine(containing: "listening on"))
        let plainPort = try #require(Int(plainLine.split(separator: ":").last ?? ""))
        #expect(try RawHTTPConnection(port: plainPort).request("GET", "/app.css").text == "body{}")
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func servesAndShutsDownGracefullyOnSignal(_ sig: Int32) throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("app.css", "body{}")
        let server = try CLIProcess(["serve", tree.root, "--port", "0", "--prefix", "/static/", "--max-age", "120",
                                     "--index-file", "index.html", "--no-allow-all-origins", "--charset", "latin-1"])
        let line = try #require(server.waitForLine(containing: "listening on"))
        let port = try #require(Int(line.split(separator: ":").last ?? ""))
        let r = try RawHTTPConnection(port: port).request("GET", "/static/app.css")
        #expect(r.text == "body{}")
        #expect(r["cache-control"] == "max-age=120, public")
        #expect(r["access-control-allow-origin"] == nil)
        #expect(r["content-type"] == "text/css; charset=latin-1")
        let miss = try RawHTTPConnection(port: port).request("GET", "/static/missing.css")
        #expect(miss.status == 404 && miss["cache-control"] == "no-store")
        server.signal(sig)
        let status = server.waitForExit()
        #expect(status == 0, "the server's stderr: \(server.standardError())")
        #expect(server.standardError().contains("received signal \(sig), shutting down"))
        // The process has exited, so its listening socket is closed. (Connecting to the port
        // proves nothing: the kernel may already have given it to another test's server.)
    }

    /// The handlers are in place before the "listening" line: a signal sent the moment it
    /// appears (before any request, with the process just started) still stops the server.
    @Test(arguments: StaticFileServer.Backend.available)
    func aSignalTheMomentItListensStopsTheServer(_ backend: StaticFileServer.Backend) throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("app.css", "body{}")
        for round in 0..<8 {
            let sig = round % 2 == 0 ? SIGTERM : SIGINT
            let server = try CLIProcess(["serve", tree.root, "--port", "0", "--threads", "1", "--backend", backend.rawValue])
            #expect(server.waitForLine(containing: "listening on") != nil)
            server.signal(sig)
            let status = server.waitForExit()
            #expect(status == 0, "round \(round), signal \(sig); the server's stderr: \(server.standardError())")
        }
    }

    @Test(arguments: StaticFileServer.Backend.available)
    func slowReadersOfBigFilesDoNotGrowServerMemory(_ backend: StaticFileServer.Backend) throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let size = 24 << 20
        try tree.write("big.bin", Data(repeating: 0x5a, count: size))
        try tree.write("small.txt", "ok")
        let server = try CLIProcess(["serve", tree.root, "--port", "0", "--threads", "1", "--backend", backend.rawValue])
        defer { server.signal(SIGKILL); _ = server.waitForExit() }
        let line = try #require(server.waitForLine(containing: "listening on"))
        let port = try #require(Int(line.split(separator: ":").last ?? ""))
        #expect(try RawHTTPConnection(port: port).request("GET", "/small.txt").text == "ok")
        let baseline = try #require(server.residentKiB())

        // Four pipelined requests for 24 MiB each; the reader takes 1 MiB and then stops reading.
        let slow = try RawHTTPConnection(port: port, timeout: 30)
        try slow.send(String(repeating: "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n", count: 4))
        var partial = try slow.readSome(atLeast: 1 << 20)
        #expect(partial >= 1 << 20)
        let during = try #require(server.residentKiB())
        #expect(during - baseline < 16 * 1024, "server RSS grew by \(during - baseline) KiB while a reader was slow")

        // Meanwhile other clients are served.
        #expect(try RawHTTPConnection(port: port).request("GET", "/small.txt").text == "ok")

        // The slow reader, reading again, still gets every byte of every response.
        for _ in 0..<4 {
            let r = try slow.readResponse()
            #expect(r.status == 200 && r.body.count == size && r.body.last == 0x5a)
        }
        partial = 0
    }

    /// A client that pipelines a long stream of requests, cut at arbitrary points by the
    /// socket, does not make the server hold what it has already answered.
    @Test(arguments: StaticFileServer.Backend.available)
    func aLongPipelinedStreamDoesNotGrowServerMemory(_ backend: StaticFileServer.Backend) throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("small.txt", "ok")
        let server = try CLIProcess(["serve", tree.root, "--port", "0", "--threads", "1", "--backend", backend.rawValue])
        defer { server.signal(SIGKILL); _ = server.waitForExit() }
        let line = try #require(server.waitForLine(containing: "listening on"))
        let port = try #require(Int(line.split(separator: ":").last ?? ""))
        let probe = try RawHTTPConnection(port: port)
        let first = try probe.request("GET", "/small.txt")
        #expect(first.text == "ok")
        let baseline = try #require(server.residentKiB())

        // 40,000 requests of 1,000 bytes (40 MB): reads end inside a request almost every time,
        // so the server nearly always holds a partial request when the next bytes come.
        let request = "GET /small.txt HTTP/1.1\r\nHost: x\r\nX-Pad: "
        let padded = request + String(repeating: "p", count: 1000 - request.utf8.count - 4) + "\r\n\r\n"
        #expect(padded.utf8.count == 1000)
        let count = 40_000
        let c = try RawHTTPConnection(port: port, timeout: 60)
        let sender = UncheckedBox(c)
        let sent = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            // Sent in pieces of 65,537 bytes, which never end where a request ends.
            let stream = Array(String(repeating: padded, count: count).utf8)
            var offset = 0
            while offset < stream.count {
                let end = min(offset + 65_537, stream.count)
                try? sender.value.send(Array(stream[offset..<end]))
                offset = end
            }
            sent.signal()
        }
        // Every response is the same size (the Date field has a fixed width); read them all.
        let responseSize = try probe.responseSize(of: "GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        let received = try c.readSome(atLeast: responseSize * count)
        sent.wait()
        let grown = try #require(server.residentKiB()) - baseline
        #expect(received == responseSize * count)
        #expect(grown < 16 * 1024, "server RSS grew by \(grown) KiB over a 40 MB pipelined stream")
    }
}

/// Hands a non-Sendable value to one other thread, which alone uses the part it needs.
private final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

