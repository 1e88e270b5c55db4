#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
import WhiteNoiseTestSupport

/// The test support's children (servers, Django, browsers) get only standard input, output
/// and error: a child holding a copy of a test's client socket would keep that connection
/// open after the test closed it.
@Suite(.offCooperativePool) struct ChildProcessTests {
    #if os(Linux)
    @Test func childrenInheritNoDescriptorButTheStandardOnes() throws {
        let socketFD = socket(AF_INET, streamSocketType, 0)  // not close-on-exec
        defer { closeSocket(socketFD) }
        #expect(socketFD > 2)
        let (status, output, _) = try ChildProcess.run(["ls", "/proc/self/fd"])
        #expect(status == 0)
        // ls itself holds one more: the directory it lists.
        let open = Set(String(decoding: output, as: UTF8.self).split(separator: "\n").compactMap { Int32($0) })
        #expect(!open.contains(socketFD), "the child holds \(open.sorted())")
        #expect(open.subtracting([0, 1, 2]).count <= 1, "the child holds \(open.sorted())")
    }
    #endif

    @Test func statusesAndSignalsAreReported() throws {
        #expect(try ChildProcess.run(["sh", "-c", "exit 3"]).0 == 3)
        #expect(try ChildProcess.run(["sh", "-c", "kill -TERM $$"]).0 == 128 + SIGTERM)
        #expect(throws: SpawnError.self) { try ChildProcess(["/nonexistent/program"]) }
        let (_, echoed, _) = try ChildProcess.run(["cat"], input: Data("through stdin".utf8))
        #expect(String(decoding: echoed, as: UTF8.self) == "through stdin")
    }
}
