import Foundation

/// Runs blocking work (a child process and its pipe) on a thread of its own. Swift Testing runs tests in parallel on
/// the cooperative pool, which has one thread per core: a test blocking one in `waitUntilExit` starved the others'
/// timers on a 2-core machine (a 50 ms deadline fired after 20 s).
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}
