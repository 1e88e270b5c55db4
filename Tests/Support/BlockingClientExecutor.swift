import Dispatch

/// A task executor with a thread of its own, for test bodies that use the blocking HTTP
/// client. Swift's cooperative pool has one thread per core (two here): a test blocked in
/// `read` on it would starve servers whose request handling is itself async (Vapor's and
/// Hummingbird's middleware), so test bodies that block run here instead.
public final class BlockingClientExecutor: TaskExecutor, @unchecked Sendable {
    private let queue: DispatchQueue

    /// An executor on a new serial queue (dispatch gives a blocked serial queue its own thread).
    public init(label: String = "test.blocking-client") {
        queue = DispatchQueue(label: label)
    }

    /// Runs `job` on this executor's queue.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Runs `body` (which may block in the test HTTP client) off the cooperative pool.
public func offCooperativePool<T>(_ body: () async throws -> T) async throws -> T {
    try await withTaskExecutorPreference(BlockingClientExecutor()) { try await body() }
}
