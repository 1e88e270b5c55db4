#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Atomics
import Synchronization

/// The descriptor of a file sent from disk, held from its preparation on (as nginx's
/// `open_file_cache` does): each response sends from a duplicate of it, so a file renamed
/// over keeps being served as it was prepared until the engine refreshes it, and a request
/// costs no path lookup. See Docs/serving.md, "Files that change".
final class HeldDescriptor: Sendable {
    private let descriptor: ManagedAtomic<Int32>
    /// Set on each use; the eviction sweep clears it (a second chance).
    fileprivate let used = ManagedAtomic<Bool>(true)

    init(_ fd: Int32) { descriptor = ManagedAtomic(fd) }

    private func duplicate() -> Int32? {
        if !used.load(ordering: .relaxed) { used.store(true, ordering: .relaxed) }
        let fd = descriptor.load(ordering: .acquiring)
        return fd >= 0 ? FileSystem.duplicate(fd) : nil
    }

    /// A new descriptor for the held file; once it was let go, the file at `path` opened
    /// again and held anew in `set`. The caller checks it against the snapshot: a descriptor
    /// number closed and reused by another thread between the load and the duplication, or
    /// the file reopened by path, may be another file.
    func descriptor(reopening path: String, in set: HeldDescriptors) -> Int32? {
        if let fd = duplicate() { return fd }
        guard let (fd, _) = FileSystem.openRegular(path) else { return nil }
        if let keep = FileSystem.duplicate(fd) {
            if descriptor.compareExchange(expected: -1, desired: keep, ordering: .acquiringAndReleasing).exchanged {
                set.hold(self)
            } else {
                _ = closeDescriptor(keep)
            }
        }
        return fd
    }

    /// Closes the held descriptor; later uses reopen the file by path.
    func release() {
        let fd = descriptor.exchange(-1, ordering: .acquiringAndReleasing)
        if fd >= 0 { _ = closeDescriptor(fd) }
    }

    var isReleased: Bool { descriptor.load(ordering: .relaxed) < 0 }

    deinit { release() }
}

/// The bounded set of held descriptors of one engine: at most `capacity` open at once (the
/// open-file limit is finite); when a new one comes, the least recently used is closed
/// first (the clock approximation of LRU: each use marks a descriptor, the sweep passes
/// over marked ones once, clearing the mark).
final class HeldDescriptors: Sendable {
    private struct State {
        var entries: [HeldDescriptor] = []
        var hand = 0
    }
    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// A quarter of the process's open-file limit, between 16 and 4,096.
    static var defaultCapacity: Int {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return 256 }
        let soft = Int(clamping: limit.rlim_cur)  // RLIM_INFINITY clamps to Int.max
        return min(4_096, max(16, soft / 4))
    }

    /// How many descriptors are open.
    var openCount: Int { state.withLock { s in s.entries.count { !$0.isReleased } } }

    /// Holds `fd` (ownership passes to the set), closing the least recently used one when
    /// the set is full.
    func hold(_ fd: Int32) -> HeldDescriptor {
        let held = HeldDescriptor(fd)
        hold(held)
        return held
    }

    /// Admits `held` (again), closing the least recently used descriptor when the set is full.
    fileprivate func hold(_ held: HeldDescriptor) {
        let evicted: HeldDescriptor? = state.withLock { s in
            if s.entries.count < capacity {
                s.entries.append(held)
                return nil
            }
            while true {
                s.hand = (s.hand + 1) % s.entries.count
                let candidate = s.entries[s.hand]
                if !candidate.isReleased, candidate.used.exchange(false, ordering: .relaxed) { continue }
                s.entries[s.hand] = held
                return candidate
            }
        }
        if evicted !== held { evicted?.release() }
    }
}
