import Foundation
import Testing
import WhiteNoiseTestSupport

/// Hummingbird has no sendfile path either: large files are read in chunks as the client takes
/// them. (The Vapor adapter is checked the same way through the sample app, the standalone
/// server by ServeCommandTests.)
@Suite(.offCooperativePool) struct BackPressureTests {
    @Test func hummingbirdStreamsLargeFilesWithBackPressure() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let size = 8 << 20
        try tree.write("staticfiles/big.bin", Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }))
        try tree.write("staticfiles/small.txt", "ok")
        try tree.write("settings.env", "DEBUG=false\nSTATIC_URL=/static/\nSTATIC_ROOT=staticfiles\n")
        let server = try CLIProcess([tree.root + "/settings.env"], product: "whitenoise-hummingbird-fixture")
        defer {
            server.signal(SIGKILL)
            _ = server.waitForExit()
        }
        let line = try #require(server.waitForLine(containing: "listening on"))
        let port = try #require(Int(line.split(separator: ":").last ?? ""))
        #expect(try RawHTTPConnection(port: port).request("GET", "/app").text == "from the app")
        let growth = try residentGrowthWithSlowReaders(of: server, port: port, path: "/static/big.bin", size: size, probe: "/static/small.txt")
        #expect(growth < 32 * 1024, "the app's RSS grew by \(growth) KiB while 50 readers were slow (1 MiB each would be 50 MiB)")
    }
}
