#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// Runs a batch of blocking work (reading, hashing, compressing, flushing files) on every core.
///
/// Not `DispatchQueue.concurrentPerform`: on Linux its workers are the threads of dispatch's
/// global queue, which are also the threads of Swift's cooperative pool (one per core). A
/// batch of seconds of CPU or disk work there (a `collectstatic` run, the digests of a large
/// tree at start-up) leaves no thread to any async task of the process until it ends: an app's
/// request handlers stall for its whole length. Serial queues are served by threads of their
/// own, which the kernel shares fairly with the app's.
package enum ParallelWork {
    /// Calls `body` once for each index in `0..<iterations`, on up to one thread per core (the
    /// calling thread is one of them), and returns once every call has returned. Calls run
    /// concurrently, so each must touch only its own index's state.
    package static func forEach(_ iterations: Int, _ body: (Int) -> Void) {
        guard iterations > 1 else {
            if iterations == 1 { body(0) }
            return
        }
        let workers = min(iterations, max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        let next = NextIndex()
        withoutActuallyEscaping(body) { body in
            let shared = UnsafeSendable(body)
            @Sendable func work() {
                while true {
                    let i = next.value.add(1, ordering: .relaxed).oldValue
                    guard i < iterations else { return }
                    shared.value(i)
                }
            }
            let group = DispatchGroup()
            for worker in 1..<workers {
                DispatchQueue(label: "whitenoise.parallel-work.\(worker)").async(group: group) { work() }
            }
            work()
            group.wait()
        }
    }
}

/// The next index to run, shared by the workers.
private final class NextIndex: Sendable {
    let value = Atomic<Int>(0)
}

/// A value handed to other threads under the caller's guarantee that it is safe there.
private struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
