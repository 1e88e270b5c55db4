import Dispatch
public import Testing

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

/// Runs each test case of a test or suite on a `BlockingClientExecutor` of its own instead of
/// Swift's cooperative pool: `@Suite(.offCooperativePool)` for tests that block for seconds
/// (child processes, Django, a browser, the blocking HTTP client). Two such tests blocking
/// both cooperative threads (two here) would stall every Vapor and Hummingbird server running
/// beside them, whose clients then time out.
public struct OffCooperativePool: TestTrait, SuiteTrait, TestScoping {
    /// Applies to every test of a suite.
    public var isRecursive: Bool { true }

    /// Runs a test case with a new blocking executor as its task executor preference (the
    /// test function, sync or async, then runs there); suites and functions as they are.
    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }
        try await withTaskExecutorPreference(BlockingClientExecutor(label: "test.off-cooperative-pool")) {
            try await function()
        }
    }
}

extension Trait where Self == OffCooperativePool {
    /// See ``OffCooperativePool``.
    public static var offCooperativePool: Self { OffCooperativePool() }
}
