import WhiteNoise
import Foundation
import Testing
import WhiteNoiseStorage
import WhiteNoiseTestSupport
import WhiteNoiseDjango

@Suite struct StaticManifestTests {
    @Test func lookupsFollowDjangosStoredName() throws {
        let t = try TempTree()
        defer { t.remove() }
        try t.write("src/css/app.css", "body {}")
        try t.write("src/img/a.png", "png")
        var options = CollectStaticOptions(staticRoot: t.root + "/root", sources: [.init(path: t.root + "/src")])
        options.storage = .manifest
        _ = try CollectStatic(options: options).run()
        try t.write("root/late.txt", "added after collectstatic")
        let manifest = try StaticManifest(root: t.root + "/root")
        let css = try manifest.storedName("css/app.css")
        #expect(css.hasPrefix("css/app.") && css.hasSuffix(".css") && css.count == "css/app.css".count + 13)
        #expect(try manifest.storedName("css/app.css?v=1#top") == css + "?v=1#top")
        #expect(try manifest.storedName("img/a.png?#iefix") == (try manifest.storedName("img/a.png")) + "?#iefix")
        #expect(throws: StaticManifest.LookupError.missingEntry("late.txt")) { try manifest.storedName("late.txt") }
        // Not strict: the hashed name is computed from the file, as Django does.
        let late = try manifest.storedName("late.txt", strict: false)
        #expect(late.hasPrefix("late.") && late.hasSuffix(".txt"))
        #expect(throws: StaticManifest.LookupError.missingFile("nope.txt")) { try manifest.storedName("nope.txt", strict: false) }
        #expect(StaticManifest.LookupError.missingEntry("x.css").description == "Missing staticfiles manifest entry for 'x.css'")
    }

    @Test func aForeignManifestIsRejected() throws {
        let t = try TempTree()
        defer { t.remove() }
        try t.write("staticfiles.json", #"{"paths": {}, "version": "9"}"#)
        #expect(throws: StaticManifest.LookupError.self) { try StaticManifest(root: t.root) }
    }
}
