import Foundation
import Testing
import WhiteNoiseTestSupport

/// The sample app, started as its own process from a copy of `Examples/SampleMVC`, driven by
/// a real headless Chromium (Debian's) over the DevTools protocol.
@Suite(.offCooperativePool) struct SampleAppTests {
    static let sampleFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/SampleMVC").path

    /// A copy of the sample without its STATIC_ROOT.
    func copySample() throws -> TempTree {
        let tree = try TempTree("sample")
        for item in ["settings.env", "Resources", "assets", "public"] {
            try FileManager.default.copyItem(atPath: Self.sampleFolder + "/" + item, toPath: tree.root + "/" + item)
        }
        return tree
    }

    /// Starts the app on a free port; returns it and its base URL.
    func start(_ tree: TempTree) throws -> (CLIProcess, String, String) {
        let app = try CLIProcess(["serve", "--port", "0"], product: "SampleMVC",
                                 environment: ["WHITENOISE_SETTINGS": tree.root + "/settings.env"])
        let collected = app.waitForLine(containing: "collectstatic:") ?? ""
        guard let line = app.waitForLine(containing: "Server started on "),
            let url = line.components(separatedBy: "Server started on ").last?.trimmingCharacters(in: .whitespaces)
        else {
            app.signal(SIGTERM)
            _ = app.waitForExit()
            throw SampleAppError(message: "the sample app did not start: \(app.standardError())")
        }
        return (app, url, collected)
    }

    @Test(.requires(.chromium)) func collectsWhenMissingOrStaleAndRendersInARealBrowser() async throws {
        let chromium = try Peer.chromium.require()
        let tree = try copySample()
        defer { tree.remove() }
        // STATIC_ROOT missing: the app collects everything before serving.
        var (app, url, collected) = try start(tree)
        #expect(collected.contains("10 static files copied"), "\(collected)")
        app.signal(SIGTERM)
        #expect(app.waitForExit() != nil)
        // Stale: one asset changed, so it is collected again (and only it).
        try tree.write("assets/js/greet.js", "export function greet(name) { return `Hello from ${name}!`; }\n")
        (app, url, collected) = try start(tree)
        defer {
            app.signal(SIGTERM)
            _ = app.waitForExit()
        }
        #expect(collected.contains("1 static file copied") && collected.contains("9 unmodified"), "\(collected)")

        var report = try Self.drive(chromium: chromium, url: url + "/products")
        // The checks' own requests with a wrong integrity value (`?again`) are meant to fail.
        report.failed.removeAll { $0.contains("?again") }
        report.responses.removeAll { $0.url.hasSuffix("?again") }
        #expect(report.failed.isEmpty, "failed requests: \(report.failed)")
        #expect(report.responses.allSatisfy { $0.status < 400 }, "\(report.responses.filter { $0.status >= 400 }.map(\.url))")
        let assets = report.responses.filter { $0.url.contains("/static/") }
        // Every asset the page uses: stylesheet (+ its @import), entry module (+ its import),
        // logo, product pictures, background pattern and font.
        #expect(assets.count >= 10, "\(report.responses)")
        for asset in assets {
            #expect(asset.status == 200, "\(asset.url)")
        }
        let hashed = assets.filter { $0.url.range(of: #"\.[0-9a-f]{12}\.[a-z0-9]+$"#, options: .regularExpression) != nil }
        #expect(hashed.count == assets.count, "every asset has a hashed URL: \(assets.map(\.url))")
        for asset in hashed {
            #expect(asset.cacheControl == "max-age=315360000, public, immutable", "\(asset.url)")
        }
        #expect(assets.contains { $0.url.hasSuffix(".css") && ($0.contentEncoding == "br" || $0.contentEncoding == "zstd") },
                "the browser accepts br: CSS must arrive compressed")
        // The CSS applied (header colour, background pattern from a url() in an @import-ed
        // file, icon font), the JS module ran, every image decoded.
        #expect(report.checks["headerBackground"] == "rgb(12, 34, 56)")
        #expect(report.checks["bodyBackground"]?.contains("/static/img/pattern.") == true, "\(report.checks)")
        #expect(report.checks["greeting"] == "Hello from WhiteNoise!")
        #expect(report.checks["fontLoaded"] == "true")
        #expect(report.checks["imagesDecoded"] == "4")
        // Subresource Integrity: every stylesheet, script and preload carries a value, the
        // import map gives one per module, Chromium accepted them all (the styles applied and
        // the modules ran, above, with no failed request), and it does check them here: the
        // same URLs with a wrong value are refused.
        #expect(report.checks["elementsWithoutIntegrity"] == "0", "\(report.checks)")
        #expect(report.checks["elementsWithIntegrity"] == "3", "\(report.checks)")
        #expect(report.checks["importMapModules"] == "2", "\(report.checks)")
        #expect(report.checks["importMapIntegrity"] == "2", "\(report.checks)")
        #expect(report.checks["wrongStylesheetIntegrity"] == "refused", "\(report.checks)")
        #expect(report.checks["wrongModuleIntegrity"] == "refused", "\(report.checks)")
    }

    /// Vapor has no sendfile path: large files are read in chunks as the client takes them.
    /// Four clients that stop reading after a little of a 24 MiB file must not make the app
    /// hold the files in memory, and every byte still arrives once they read again.
    @Test func largeFilesStreamWithBackPressure() throws {
        let tree = try copySample()
        defer { tree.remove() }
        let size = 8 << 20
        try tree.write("assets/video/big.mp4", Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }))
        let (app, url, _) = try start(tree)
        defer {
            app.signal(SIGKILL)
            _ = app.waitForExit()
        }
        let port = try #require(Int(url.split(separator: ":").last ?? ""))
        let growth = try residentGrowthWithSlowReaders(of: app, port: port, path: "/static/video/big.mp4", size: size, probe: "/robots.txt")
        #expect(growth < 32 * 1024, "the app's RSS grew by \(growth) KiB while 50 readers were slow (1 MiB each would be 50 MiB)")
    }

    struct Report: Decodable {
        struct Response: Decodable {
            var url: String
            var status: Int
            var cacheControl: String?
            var contentEncoding: String?
        }
        var responses: [Response]
        var failed: [String]
        var checks: [String: String]
    }

    struct SampleAppError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Loads `url` in headless Chromium over `--remote-debugging-pipe` (CDP, no WebSocket
    /// library needed) and reports every response, every failed request, and checks
    /// evaluated in the page once it and its fonts have loaded.
    static func drive(chromium: String, url: String) throws -> Report {
        let out = try TempTree.pipe(["python3", "-c", Self.driver, chromium, url], Data())
        return try JSONDecoder().decode(Report.self, from: out)
    }

    static let driver = #"""
        import fcntl, json, os, subprocess, sys, tempfile
        chromium, url = sys.argv[1], sys.argv[2]
        # Chromium reads commands from fd 3 and writes replies to fd 4: put the pipe ends
        # there (after moving every end out of the way), and pass exactly those two.
        ends = [os.dup(fd) for fd in os.pipe() + os.pipe()]
        ends = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in ends]
        to_browser_r, to_browser_w, from_browser_r, from_browser_w = ends
        os.dup2(to_browser_r, 3)
        os.dup2(from_browser_w, 4)
        profile = tempfile.mkdtemp()
        browser = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--use-mock-keychain", "--remote-debugging-pipe", "--user-data-dir=" + profile, "about:blank"],
            pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in (3, 4, to_browser_r, from_browser_w): os.close(fd)
        next_id = [0]
        pending = b""
        events = []
        def read_message():
            global pending
            while b"\0" not in pending:
                chunk = os.read(from_browser_r, 65536)
                if not chunk: raise SystemExit("chromium closed the pipe")
                pending += chunk
            raw, pending = pending.split(b"\0", 1)
            return json.loads(raw)
        def send(method, params=None, session=None):
            next_id[0] += 1
            message = {"id": next_id[0], "method": method, "params": params or {}}
            if session: message["sessionId"] = session
            os.write(to_browser_w, json.dumps(message).encode() + b"\0")
            while True:
                m = read_message()
                if m.get("id") == next_id[0]:
                    if "error" in m: raise SystemExit(method + ": " + json.dumps(m["error"]))
                    return m["result"]
                events.append(m)
        def wait_for(method):
            for i, m in enumerate(events):
                if m.get("method") == method: return events.pop(i)
            while True:
                m = read_message()
                if m.get("method") == method: return m
                events.append(m)
        target = send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ["Network", "Page", "Runtime"]: send(domain + ".enable", session=session)
        send("Page.navigate", {"url": url}, session=session)
        wait_for("Page.loadEventFired")
        checks = send("Runtime.evaluate", {"awaitPromise": True, "returnByValue": True, "expression": """
            document.fonts.ready.then(() => {
              const images = [...document.images];
              return {
                headerBackground: getComputedStyle(document.querySelector('.site-header')).backgroundColor,
                bodyBackground: getComputedStyle(document.body).backgroundImage,
                greeting: document.getElementById('greeting').textContent,
                fontLoaded: String(document.fonts.check('16px WNSample')),
                imagesDecoded: String(images.filter(i => i.complete && i.naturalWidth > 0).length),
              };
            }).then(async (checks) => {
              const subresources = [...document.querySelectorAll('link[rel=stylesheet], link[rel=modulepreload], script[src]')];
              checks.elementsWithIntegrity = String(subresources.filter(e => /^sha384-[A-Za-z0-9+/]{64}$/.test(e.integrity)).length);
              checks.elementsWithoutIntegrity = String(subresources.filter(e => !e.integrity).length);
              const map = JSON.parse(document.querySelector('script[type=importmap]').textContent);
              checks.importMapModules = String(Object.keys(map.imports).length);
              checks.importMapIntegrity = String(Object.keys(map.integrity || {}).length);
              // The page's own URLs again, with a value that cannot match: Chromium must refuse.
              const wrong = 'sha384-' + 'A'.repeat(64);
              const attempt = (tag, attributes) => new Promise((resolve) => {
                const e = document.createElement(tag);
                Object.assign(e, attributes, {integrity: wrong, onload: () => resolve('loaded'), onerror: () => resolve('refused')});
                document.head.appendChild(e);
              });
              const css = document.querySelector('link[rel=stylesheet]').href;
              const entry = document.querySelector('script[type=module]').src;
              checks.wrongStylesheetIntegrity = await attempt('link', {rel: 'stylesheet', href: css + '?again'});
              checks.wrongModuleIntegrity = await attempt('script', {type: 'module', src: entry + '?again'});
              return checks;
            })"""}, session=session)["result"]["value"]
        send("Runtime.evaluate", {"expression": "1"}, session=session)  # drain late network events
        urls, responses, failed = {}, [], []
        for m in events:
            p = m.get("params", {})
            if m.get("method") == "Network.requestWillBeSent": urls[p["requestId"]] = p["request"]["url"]
            elif m.get("method") == "Network.responseReceived":
                h = {k.lower(): v for k, v in p["response"]["headers"].items()}
                responses.append({"url": p["response"]["url"], "status": p["response"]["status"],
                                  "cacheControl": h.get("cache-control"), "contentEncoding": h.get("content-encoding")})
            elif m.get("method") == "Network.loadingFailed":
                failed.append(urls.get(p["requestId"], "?") + ": " + p.get("errorText", ""))
        try: send("Browser.close")
        except SystemExit: pass
        browser.wait(timeout=30)
        print(json.dumps({"responses": responses, "failed": failed, "checks": checks}))
        """#
}
