import Foundation

/// `readers` clients (50) ask a server process for a large file, each reads `taken` bytes and
/// stops; another client is then served. Returns how much the server's resident memory grew
/// (KiB) meanwhile, then reads every response to the end and checks its length. A server that
/// streams with back-pressure holds a few chunks per client; one that buffers what the
/// client has not taken holds up to a file per client (50 readers make a 1 MiB-per-client
/// leak a 50 MiB growth).
public func residentGrowthWithSlowReaders(of server: CLIProcess, port: Int, path: String, size: Int, probe: String,
                                          readers: Int = 50, taken: Int = 256 << 10) throws -> Int {
    _ = try RawHTTPConnection(port: port).request("GET", probe)
    guard let baseline = server.residentKiB() else { throw SlowReaderError(message: "no RSS for the server") }
    var slow: [RawHTTPConnection] = []
    for _ in 0..<readers {
        let c = try RawHTTPConnection(port: port, timeout: 60)
        c.setReceiveBuffer(64 * 1024)
        try c.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try c.readSome(atLeast: taken)
        slow.append(c)
    }
    // Another client is served meanwhile; by then the server has done what it would do.
    _ = try RawHTTPConnection(port: port).request("GET", probe)
    guard let during = server.residentKiB() else { throw SlowReaderError(message: "no RSS for the server") }
    for c in slow {
        let r = try c.readResponse()
        guard r.status == 200, r.body.count == size else {
            throw SlowReaderError(message: "a slow reader got status \(r.status) and \(r.body.count) of \(size) bytes")
        }
    }
    return during - baseline
}

struct SlowReaderError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
