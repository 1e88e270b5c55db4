import Testing
import WhiteNoise
import WhiteNoiseTestSupport

/// Engine options that shape which files answer: several roots, the memory budget, autorefresh.
@Suite(.offCooperativePool) struct EngineOptionTests {
    @Test(arguments: ServerKind.allCases)
    func laterRootsWinForTheSameURL(server: ServerKind) async throws {
        let first = try TempTree("first"), second = try TempTree("second")
        defer { first.remove(); second.remove() }
        try first.write("app.css", "from first")
        try first.write("only-first.css", "1")
        try second.write("app.css", "from second")
        try second.write("robots.txt", "root file")
        var files = try StaticFiles()
        files.addFiles(root: first.root, prefix: "static")
        files.addFiles(root: second.root, prefix: "/static/")
        files.addFiles(root: second.root, prefix: "")
        try await withLiveServer(files, on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            #expect(try c.request("GET", "/static/app.css").text == "from second")
            #expect(try c.request("GET", "/static/only-first.css").text == "1")
            #expect(try c.request("GET", "/robots.txt").text == "root file")
        }
    }

    /// Files within the budget are held in memory (and keep what was first read); the rest
    /// are sent from disk (and show a later change once it has settled).
    @Test(arguments: ServerKind.cachedCases)
    func memoryBudgetBoundsWhatIsHeldInMemory(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("a.txt", "aaaa")
        try tree.write("b.txt", "bbbb")
        let files = try makeFiles(tree.root) { c in c.memoryBudget = 4 }
        try await withLiveServer(files, on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            #expect(try c.request("GET", "/static/a.txt").text == "aaaa")  // takes the whole budget
            #expect(try c.request("GET", "/static/b.txt").text == "bbbb")  // over budget: from disk
            try tree.write("a.txt", "AAAAA")
            try tree.write("b.txt", "BBBBB")
            try await Task.sleep(nanoseconds: UInt64(StaticFiles.changedFileQuietTime) + 50_000_000)  // the documented quiet time
            #expect(try c.request("GET", "/static/a.txt").text == "aaaa")
            #expect(try c.request("GET", "/static/b.txt").text == "BBBBB")
        }
    }

    @Test(arguments: ServerKind.allCases)
    func autorefreshSeesFilesAddedAfterStartUp(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let files = try makeFiles(tree.root) { c in c.autorefresh = true }
        try await withLiveServer(files, on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            #expect(try c.request("GET", "/static/new.css").status == 404)
            try tree.write("new.css", "fresh")
            try tree.write("new.css.gz", "x")
            let r = try c.request("GET", "/static/new.css")
            #expect(r.text == "fresh" && r["vary"] == "Accept-Encoding")
            #expect(try c.request("GET", "/static/new.css.gz").status == 404)
            try tree.write("new.css", "changed!")
            #expect(try c.request("GET", "/static/new.css").text == "changed!")
        }
    }

    @Test(arguments: ServerKind.allCases)
    func immutableTestAsAPredicate(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("v1/app.js", "x")
        try tree.write("app.js", "y")
        let files = try makeFiles(tree.root) { c in
            c.immutableFileTest = .predicate { path, url in url.hasPrefix("/static/v1/") && path.hasSuffix("/v1/app.js") }
        }
        try await withLiveServer(files, on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            #expect(try c.request("GET", "/static/v1/app.js")["cache-control"] == "max-age=315360000, public, immutable")
            #expect(try c.request("GET", "/static/app.js")["cache-control"] == "max-age=60, public")
        }
    }

    @Test func invalidOptionsAreRejectedWithAReason() {
        var bad = StaticFilesConfiguration()
        bad.immutableFileTest = .regex("([unclosed")
        #expect(throws: StaticFilesError.self) { try StaticFiles(configuration: bad) }
        var badIndex = StaticFilesConfiguration()
        badIndex.indexFile = "dir/index.html"
        #expect(throws: StaticFilesError.invalidIndexFile("dir/index.html")) { try StaticFiles(configuration: badIndex) }
    }
}
