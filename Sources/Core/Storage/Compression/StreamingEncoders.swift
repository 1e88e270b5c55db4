import CBrotli
import CZlib
import WhiteNoise
import Foundation

/// One encoding of a large file, fed chunk by chunk, writing to a temporary file: memory stays
/// bounded whatever the file's size. gzip output is byte-identical to `Codecs.gzip`.
final class StreamingEncoder {
    let encoding: ContentCoding
    let finalPath: String
    let tempPath: String
    private let fd: Int32
    private(set) var written = 0
    private var failed: Int32 = 0
    private var output = [UInt8](repeating: 0, count: 1 << 17)
    // gzip
    private var zstream = z_stream()
    private var crc: uLong = 0
    private var inputSize: UInt32 = 0
    // brotli
    private var brotli: OpaquePointer?
    // zstd
    private var zstd: OpaquePointer?

    /// `nil` when the encoding is unavailable (zstd without libzstd) or the temp file cannot be made.
    init?(_ encoding: ContentCoding, for path: String) {
        self.encoding = encoding
        let final = path + encoding.suffix
        finalPath = final
        tempPath = FileIO.temporaryName(for: final)
        switch encoding {
        case .gzip:
            guard deflateInit2_(&zstream, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                                Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
            crc = crc32(0, nil, 0)
        case .br:
            guard let state = BrotliEncoderCreateInstance(nil, nil, nil) else { return nil }
            BrotliEncoderSetParameter(state, BROTLI_PARAM_QUALITY, UInt32(BROTLI_MAX_QUALITY))
            BrotliEncoderSetParameter(state, BROTLI_PARAM_LGWIN, UInt32(BROTLI_DEFAULT_WINDOW))
            brotli = state
        case .zstd:
            guard let lib = Zstd.shared, let ctx = lib.create() else { return nil }
            _ = lib.setParameter(ctx, 100, 19)  // ZSTD_c_compressionLevel
            zstd = ctx
        case .identity:
            return nil
        }
        fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 {
            release()
            return nil
        }
        if encoding == .gzip { emit([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0xff]) }
    }

    private func emit(_ bytes: UnsafeRawBufferPointer) {
        if failed == 0 { failed = FileIO.writeAll(fd, bytes) }
        written += bytes.count
    }

    private func emit(_ bytes: [UInt8]) { bytes.withUnsafeBytes { emit($0) } }

    /// Feeds a chunk; `finish` on the last one (which may be empty).
    func feed(_ chunk: UnsafeRawBufferPointer, finish: Bool) {
        switch encoding {
        case .gzip: feedGzip(chunk, finish: finish)
        case .br: feedBrotli(chunk, finish: finish)
        case .zstd: feedZstd(chunk, finish: finish)
        case .identity: break
        }
    }

    private func feedGzip(_ chunk: UnsafeRawBufferPointer, finish: Bool) {
        if let base = chunk.baseAddress, !chunk.isEmpty {
            crc = crc32(crc, base.assumingMemoryBound(to: Bytef.self), uInt(chunk.count))
            inputSize &+= UInt32(truncatingIfNeeded: chunk.count)
        }
        zstream.next_in = UnsafeMutablePointer(mutating: chunk.baseAddress?.assumingMemoryBound(to: Bytef.self))
        zstream.avail_in = uInt(chunk.count)
        repeat {
            let produced: Int = output.withUnsafeMutableBufferPointer { out in
                zstream.next_out = out.baseAddress
                zstream.avail_out = uInt(out.count)
                _ = deflate(&zstream, finish ? Z_FINISH : Z_NO_FLUSH)
                return out.count - Int(zstream.avail_out)
            }
            output.withUnsafeBytes { emit(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
        } while zstream.avail_out == 0 || (finish && zstream.avail_in > 0)
        if finish {
            var trailer: [UInt8] = []
            for shift in stride(from: 0, to: 32, by: 8) { trailer.append(UInt8(truncatingIfNeeded: UInt32(crc) >> UInt32(shift))) }
            for shift in stride(from: 0, to: 32, by: 8) { trailer.append(UInt8(truncatingIfNeeded: inputSize >> UInt32(shift))) }
            emit(trailer)
        }
    }

    private func feedBrotli(_ chunk: UnsafeRawBufferPointer, finish: Bool) {
        guard let state = brotli else { return }
        var availableIn = chunk.count
        var nextIn = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let op = finish ? BROTLI_OPERATION_FINISH : BROTLI_OPERATION_PROCESS
        while true {
            let produced: Int = output.withUnsafeMutableBufferPointer { out in
                var availableOut = out.count
                var nextOut = out.baseAddress
                _ = BrotliEncoderCompressStream(state, op, &availableIn, &nextIn, &availableOut, &nextOut, nil)
                return out.count - availableOut
            }
            output.withUnsafeBytes { emit(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
            let more = BrotliEncoderHasMoreOutput(state) == BROTLI_TRUE
            if availableIn == 0 && !more && (!finish || BrotliEncoderIsFinished(state) == BROTLI_TRUE) { break }
            if produced == 0 && availableIn == 0 && !more && finish && BrotliEncoderIsFinished(state) != BROTLI_TRUE { continue }
        }
    }

    private func feedZstd(_ chunk: UnsafeRawBufferPointer, finish: Bool) {
        guard let ctx = zstd, let lib = Zstd.shared else { return }
        var input = Zstd.InBuffer(src: chunk.baseAddress, size: chunk.count, pos: 0)
        while true {
            var remaining = 0
            let produced: Int = output.withUnsafeMutableBytes { out in
                var o = Zstd.OutBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                remaining = withUnsafeMutablePointer(to: &o) { op in
                    withUnsafeMutablePointer(to: &input) { ip in
                        lib.compressStream2(ctx, UnsafeMutableRawPointer(op), UnsafeMutableRawPointer(ip), finish ? 2 : 0)  // e_end : e_continue
                    }
                }
                return o.pos
            }
            if lib.isError(remaining) != 0 { failed = EIO; return }
            output.withUnsafeBytes { emit(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
            if finish ? remaining == 0 : input.pos == input.size { break }
        }
    }

    /// Finishes: keeps the variant (with `times`) when `keep(written)` says so, otherwise
    /// removes it. Returns the variant's size when kept.
    func close(times: stat, keep: (Int) -> Bool) throws(StorageError) -> Int? {
        release()
        var ts = times.accessAndModificationTimes
        _ = futimens(fd, &ts)
        let closed = closeDescriptor(fd)
        guard failed == 0, closed == 0 else {
            unlink(tempPath)
            throw .unwritable(path: finalPath, errno: failed != 0 ? failed : errno)
        }
        guard keep(written) else {
            unlink(tempPath)
            return nil
        }
        guard rename(tempPath, finalPath) == 0 else {
            let e = errno
            unlink(tempPath)
            throw .unwritable(path: finalPath, errno: e)
        }
        return written
    }

    /// Drops everything without keeping a variant.
    func abandon() {
        release()
        _ = closeDescriptor(fd)
        unlink(tempPath)
    }

    private func release() {
        if encoding == .gzip, zstream.state != nil { deflateEnd(&zstream) }
        if let b = brotli { BrotliEncoderDestroyInstance(b); brotli = nil }
        if let z = zstd { _ = Zstd.shared?.free(z); zstd = nil }
    }
}
