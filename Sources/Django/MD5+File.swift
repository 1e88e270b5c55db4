import Foundation

extension MD5 {
    /// Why a file could not be hashed: its path and the `errno` of the failed call.
    package struct FileError: Error, Equatable {
        /// The file's path.
        package var path: String
        /// The system's error number.
        package var errno: Int32
    }

    /// `md5(file).hexdigest()`, reading the file in 1 MiB chunks (a folder is an error).
    package static func hex(file path: String) throws(FileError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, errno: errno) }
        defer { close(fd) }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        var digest = MD5()
        var offset: off_t = 0
        while true {
            let n = pread(fd, chunk.baseAddress, chunk.count, offset)
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw FileError(path: path, errno: errno) }
            if n == 0 { break }
            digest.update(UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            offset += off_t(n)
        }
        return digest.hexDigest()
    }
}
