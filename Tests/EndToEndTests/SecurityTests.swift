import Testing
import WhiteNoise
import WhiteNoiseTestSupport

/// Hostile paths, in both modes: a secret file next to the root is never served.
@Suite(.offCooperativePool) struct SecurityTests {
    static let hostileTargets = [
        "/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/%2E%2E/secret.txt", "/static/..%2fsecret.txt",
        "/static/%2e%2e%2fsecret.txt", "/static/sub/../../secret.txt", "/static/sub/%2e%2e/%2e%2e/secret.txt",
        "/static/..%5csecret.txt", "/static/%5c..%5csecret.txt", "/static/./../secret.txt", "/static//../secret.txt",
        "/static/%00/../secret.txt", "/static/ok.txt%00", "/static/..", "/static/%2e%2e", "/secret.txt",
        "/static/...%2fsecret.txt", "/static/%252e%252e/secret.txt", "/static/C:/secret.txt",
        "http://evil/static/../secret.txt",
    ]

    @Test(arguments: ServerKind.allCases, [false, true])
    func secretNextToTheRootIsNeverServed(server: ServerKind, autorefresh: Bool) async throws {
        let outer = try TempTree()
        defer { outer.remove() }
        try outer.write("secret.txt", "TOP SECRET")
        try outer.write("root/ok.txt", "fine")
        try outer.write("root/sub/x.txt", "x")
        try outer.write("root_disallowed/secret.txt", "TOP SECRET")
        let files = try makeFiles(outer.root + "/root") { c in
            c.autorefresh = autorefresh
            c.indexFile = "index.html"
        }
        try await withLiveServer(files, on: server) { (port: Int) async throws in
            for target in Self.hostileTargets {
                let c = try RawHTTPConnection(port: port)
                try c.send("GET \(target) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                let bytes = String(decoding: c.readToEnd(), as: UTF8.self)
                #expect(!bytes.contains("TOP SECRET"), "\(target)")
                #expect(bytes.hasPrefix("HTTP/1.1 4"), "\(target): \(bytes.prefix(40))")
            }
            #expect(try RawHTTPConnection(port: port).request("GET", "/static/ok.txt").text == "fine")
        }
    }

    @Test(arguments: ServerKind.allCases)
    func autorefreshBlocksSymlinksLeavingTheRootUnlessAllowed(server: ServerKind) async throws {
        let outer = try TempTree()
        defer { outer.remove() }
        try outer.write("secret.txt", "TOP SECRET")
        try outer.write("root/ok.txt", "fine")
        try outer.mkdir("elsewhere")
        try outer.write("elsewhere/inside-dir.txt", "TOP SECRET too")
        try outer.symlink("root/link.txt", to: outer.root + "/secret.txt")
        try outer.symlink("root/linkdir", to: outer.root + "/elsewhere")
        try outer.symlink("root/internal.txt", to: "ok.txt")
        for allow in [false, true] {
            let files = try makeFiles(outer.root + "/root") { c in
                c.autorefresh = true
                c.allowUnsafeSymlinks = allow
            }
            try await withLiveServer(files, on: server) { (port: Int) async throws in
                let c = try RawHTTPConnection(port: port)
                let link = try c.request("GET", "/static/link.txt")
                let dir = try c.request("GET", "/static/linkdir/inside-dir.txt")
                #expect(link.status == (allow ? 200 : 404))
                #expect(dir.status == (allow ? 200 : 404))
                #expect(try c.request("GET", "/static/internal.txt").text == "fine")
            }
        }
    }

    @Test(arguments: ServerKind.cachedCases)
    func startupScanFollowsSymlinksAsWhiteNoiseDoes(server: ServerKind) async throws {
        let outer = try TempTree()
        defer { outer.remove() }
        try outer.write("source/app.css", "linked")
        try outer.mkdir("root")
        try outer.symlink("root/app.css", to: outer.root + "/source/app.css")  // collectstatic --link
        try await withLiveServer(try makeFiles(outer.root + "/root"), on: server) { (port: Int) async throws in
            #expect(try RawHTTPConnection(port: port).request("GET", "/static/app.css").text == "linked")
        }
    }
}
