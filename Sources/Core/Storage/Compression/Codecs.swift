import CBrotli
import CZlib
import Foundation

/// One-shot codecs over the system libraries.
public enum Codecs {
    /// gzip exactly as Python's `gzip.GzipFile(filename="", mode="wb", compresslevel=9,
    /// mtime=0)` writes it: header `1f 8b 08 00 00000000 02 ff`, raw deflate at level 9, CRC-32
    /// and size. With the same zlib, the bytes are identical to WhiteNoise's.
    public static func gzip(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        var stream = z_stream()
        let initialised = deflateInit2_(&stream, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                                        Int32(MemoryLayout<z_stream>.size))
        precondition(initialised == Z_OK, "zlib deflateInit2 failed: \(initialised)")
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var out = [UInt8](repeating: 0, count: 10 + bound + 8)
        out.replaceSubrange(0..<10, with: [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0xff])
        let produced: Int = out.withUnsafeMutableBufferPointer { buffer in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            stream.next_out = buffer.baseAddress! + 10
            stream.avail_out = uInt(bound)
            let rc = deflate(&stream, Z_FINISH)
            precondition(rc == Z_STREAM_END, "zlib deflate did not finish: \(rc)")
            return Int(stream.total_out)
        }
        let crc = UInt32(crc32(0, input.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(input.count)))
        let size = UInt32(truncatingIfNeeded: input.count)
        out.removeSubrange((10 + produced)...)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: crc >> UInt32(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: size >> UInt32(shift))) }
        return out
    }

    /// Brotli with the library defaults WhiteNoise uses: quality 11, window 22, generic mode.
    public static func brotli(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        var size = BrotliEncoderMaxCompressedSize(input.count)
        if size == 0 { size = input.count + 1024 }
        var out = [UInt8](repeating: 0, count: size)
        let ok = out.withUnsafeMutableBufferPointer { buffer in
            BrotliEncoderCompress(BROTLI_MAX_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, input.count,
                                  input.baseAddress?.assumingMemoryBound(to: UInt8.self), &size, buffer.baseAddress)
        }
        guard ok == BROTLI_TRUE else { return nil }
        out.removeSubrange(size...)
        return out
    }

    /// Zstandard at level 19, or `nil` when libzstd is not installed (it is loaded at run time,
    /// so building needs no zstd headers).
    public static func zstd(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        guard let lib = Zstd.shared else { return nil }
        let bound = lib.compressBound(input.count)
        var out = [UInt8](repeating: 0, count: bound)
        let written = out.withUnsafeMutableBytes { buffer in
            lib.compress(buffer.baseAddress, bound, input.baseAddress, input.count, 19)
        }
        guard lib.isError(written) == 0 else { return nil }
        out.removeSubrange(written...)
        return out
    }

    /// Whether zstd is available on this machine.
    public static var zstdAvailable: Bool { Zstd.shared != nil }

    /// Whether `WHITENOISE_ZSTD=off` (or `0`, `false`, `no`) makes zstd unavailable on purpose.
    public static var zstdSwitchedOff: Bool { Zstd.disabledByEnvironment }
}

/// libzstd, opened with `dlopen` so that neither building nor running requires it: the
/// one-shot functions and the streaming ones.
struct Zstd: @unchecked Sendable {
    typealias CompressBound = @convention(c) (Int) -> Int
    typealias Compress = @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeRawPointer?, Int, Int32) -> Int
    typealias IsError = @convention(c) (Int) -> UInt32
    typealias Create = @convention(c) () -> OpaquePointer?
    typealias Free = @convention(c) (OpaquePointer?) -> Int
    typealias SetParameter = @convention(c) (OpaquePointer?, Int32, Int32) -> Int
    /// (cctx, ZSTD_outBuffer*, ZSTD_inBuffer*, endOp); the buffers are `OutBuffer`/`InBuffer`,
    /// laid out as the C structs (pointer, size_t, size_t).
    typealias CompressStream2 = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer, UnsafeMutableRawPointer, Int32) -> Int
    typealias VersionNumber = @convention(c) () -> UInt32

    /// `ZSTD_inBuffer`.
    struct InBuffer { var src: UnsafeRawPointer?; var size: Int; var pos: Int }
    /// `ZSTD_outBuffer`.
    struct OutBuffer { var dst: UnsafeMutableRawPointer?; var size: Int; var pos: Int }

    let compressBound: CompressBound
    let compress: Compress
    let isError: IsError
    let create: Create
    let free: Free
    let setParameter: SetParameter
    let compressStream2: CompressStream2
    /// `ZSTD_versionNumber`, for the compression cache's keys.
    let versionNumber: VersionNumber?

    /// The names `dlopen` tries, in order: the runtime library's soname first.
    static var libraryNames: [String] {
        #if canImport(Darwin)
        // Homebrew (Apple silicon, then Intel) and MacPorts keep it outside dyld's default
        // search path.
        ["libzstd.1.dylib", "/opt/homebrew/lib/libzstd.1.dylib", "/usr/local/lib/libzstd.1.dylib",
         "/opt/local/lib/libzstd.1.dylib", "libzstd.dylib"]
        #else
        ["libzstd.so.1", "libzstd.so"]
        #endif
    }

    /// Whether `WHITENOISE_ZSTD=off` asks to behave as if libzstd were absent (it tests the
    /// fallback on machines where the toolchain itself has loaded libzstd).
    static var disabledByEnvironment: Bool {
        guard let value = getenv("WHITENOISE_ZSTD") else { return false }
        return ["off", "0", "false", "no"].contains(String(cString: value).lowercased())
    }

    /// libzstd's entry points, or `nil` when it is not installed (or `WHITENOISE_ZSTD=off`).
    static let shared: Zstd? = {
        if disabledByEnvironment { return nil }
        for name in libraryNames {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
            func symbol<T>(_ name: String, _: T.Type) -> T? { dlsym(handle, name).map { unsafeBitCast($0, to: T.self) } }
            guard let bound = symbol("ZSTD_compressBound", CompressBound.self), let compress = symbol("ZSTD_compress", Compress.self),
                let isError = symbol("ZSTD_isError", IsError.self),
                let create = symbol("ZSTD_createCCtx", Create.self), let free = symbol("ZSTD_freeCCtx", Free.self),
                let setParameter = symbol("ZSTD_CCtx_setParameter", SetParameter.self),
                let stream = symbol("ZSTD_compressStream2", CompressStream2.self)
            else { continue }
            return Zstd(compressBound: bound, compress: compress, isError: isError, create: create,
                        free: free, setParameter: setParameter, compressStream2: stream,
                        versionNumber: symbol("ZSTD_versionNumber", VersionNumber.self))
        }
        return nil
    }()

}
