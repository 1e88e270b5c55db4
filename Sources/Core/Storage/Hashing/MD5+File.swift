import WhiteNoise

extension MD5 {
    /// `md5(file).hexdigest()`, reading the file in chunks.
    static func hex(file path: String) throws(StorageError) -> String {
        var m = MD5()
        _ = try FileIO.stream(path) { m.update($0) }
        return m.hexDigest()
    }
}
