/// A URL path compared and hashed by its bytes. Swift's `String ==` is Unicode canonical
/// equivalence, which would serve a file named in NFC to a request spelled in NFD (and let
/// two such files replace each other in the table); WhiteNoise, nginx and file systems match
/// bytes.
struct PathKey: Hashable, Sendable {
    /// The path.
    let path: String

    init(_ path: String) {
        self.path = path
    }

    static func == (a: PathKey, b: PathKey) -> Bool {
        a.path.utf8.count == b.path.utf8.count && a.path.utf8.elementsEqual(b.path.utf8)
    }

    func hash(into hasher: inout Hasher) {
        let hashed: Void? = path.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if hashed == nil {
            for byte in path.utf8 { hasher.combine(byte) }
        }
        hasher.combine(path.utf8.count)
    }
}
