#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Atomics
import NIOCore

/// Reading a file and its siblings into a ``PreparedFile``, only when what is read is one
/// version of each (Docs/serving.md, "Files that change").
extension StaticFile {
    /// How long a file must have been unchanged before it is read.
    enum Settling {
        /// First use (and every autorefresh request): a file changed less than 20 ms ago
        /// (two ticks of the coarsest kernel clock that stamps file times) is waited for
        /// once, as its writer may be between truncating it and writing it.
        case waitBriefly
        /// A file that changed after it was prepared must have been unchanged for
        /// ``StaticFiles/changedFileQuietTime``, with no waiting: until then the engine
        /// answers from the version it holds, or 503.
        case requireQuiet

        static let brief: Int64 = 20_000_000
    }

    /// What reading the file gave.
    enum Preparation {
        case ready(PreparedFile)
        /// The original is missing, unreadable or not a regular file.
        case missing
        /// The file changed while it was read, or has not been unchanged long enough
        /// (``Settling``): no version of it can be answered now.
        case changing
    }

    /// Reads the files as they are now and builds every header. Files small enough are kept
    /// in memory (within the budget) when `keepingMemory`, i.e. when the result is cached;
    /// the others keep their descriptor held. The original decides: when it is missing or
    /// changing, so is the file; a compressed sibling that is missing or changing is left
    /// out (it is answered uncompressed until a refresh reads the sibling again).
    func prepare(keepingMemory: Bool, settling: Settling, previous: PreparedFile? = nil) -> Preparation {
        var reps: [LoadedRepresentation] = []
        for source in sources {
            let known = previous?.representations.first { $0.path == source.path }?.snapshot ?? source.snapshot
            switch load(source, known: known, keepingMemory: keepingMemory, settling: settling) {
            case .success(let rep): reps.append(rep)
            case .failure(let outcome) where source.coding == .identity: return outcome.preparation  // identity comes first
            case .failure: continue
            }
        }
        guard let identity = reps.first, identity.coding == .identity else { return .missing }
        return .ready(PreparedFile(file: self, identity: identity, representations: reps,
                                   reservedMemory: reps.reduce(0) { $0 + $1.reservedMemory }))
    }

    /// Why a source could not be read as one version.
    private enum Unusable: Error {
        case missing, changing
        var preparation: Preparation { self == .missing ? .missing : .changing }
    }

    /// Reads one source, or says why it cannot be used now. Its status must not contradict
    /// `known` (the same inode and change time with another size is a `stat` that caught a
    /// truncation half-way: the kernel sets the size before the times, and `stat` takes no
    /// lock), it must have settled, and nothing may write to it while it is read.
    private func load(_ source: Source, known: FileSnapshot, keepingMemory: Bool,
                      settling: Settling) -> Result<LoadedRepresentation, Unusable> {
        guard let (fd, snapshot) = FileSystem.openRegular(source.path) else { return .failure(.missing) }
        var keep = false
        defer { if !keep { _ = closeDescriptor(fd) } }
        if snapshot.contradicts(known) { return .failure(.changing) }
        let age = FileSystem.age(snapshot)
        switch settling {
        case .requireQuiet:
            if age < StaticFiles.changedFileQuietTime { return .failure(.changing) }
        case .waitBriefly:
            if age < Settling.brief {
                usleep(UInt32((Settling.brief - max(0, age)) / 1000))
                guard FileSystem.snapshot(of: fd) == snapshot else { return .failure(.changing) }
            }
        }
        var digest = snapshot == source.snapshot ? source.knownDigest : nil
        var body: ByteBuffer?
        var reserved = 0
        let size = Int(snapshot.size)
        if size <= context.configuration.maximumInMemoryFileSize, !keepingMemory || context.reserveMemory(size) {
            if keepingMemory { reserved = size }
            var buffer = ByteBufferAllocator().buffer(capacity: size)
            var hasher = ContentDigest()
            if FileSystem.read(fd, offset: 0, count: size, into: { chunk in
                buffer.writeBytes(chunk)
                hasher.update(chunk)
            }) {
                body = buffer
                digest = digest ?? hasher.finalize()
            }
        } else if digest == nil {
            var hasher = ContentDigest()
            if FileSystem.read(fd, offset: 0, count: size, into: { hasher.update($0) }) { digest = hasher.finalize() }
        }
        // What was read is one version only if it was read whole and nothing wrote meanwhile.
        guard let digest, FileSystem.snapshot(of: fd) == snapshot else {
            context.memoryInUse.wrappingDecrement(by: reserved, ordering: .relaxed)
            return .failure(.changing)
        }
        var held: HeldDescriptor?
        if body == nil, cached {
            held = context.heldDescriptors.hold(fd)
            keep = true
        }
        return .success(LoadedRepresentation(coding: source.coding, path: source.path, snapshot: snapshot,
                                             etag: "\"" + ContentDigest.hex(digest) + "\"", body: body, held: held,
                                             reservedMemory: reserved))
    }
}
