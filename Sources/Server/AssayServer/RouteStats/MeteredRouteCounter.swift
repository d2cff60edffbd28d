import AssayDomain
import Foundation
import Prometheus

/// A ``RouteCounter`` that counts its increments (counted or failed) in ``AppMetrics``.
struct MeteredRouteCounter: RouteCounter {
    let base: any RouteCounter
    private let counted: Counter
    private let failed: Counter

    init(_ base: any RouteCounter, metrics: AppMetrics) {
        self.base = base
        self.counted = metrics.routeHits(outcome: "counted")
        self.failed = metrics.routeHits(outcome: "failed")
    }

    func increment(_ path: String, at time: Date) async throws -> Int64 {
        do {
            let count = try await base.increment(path, at: time)
            counted.increment()
            return count
        } catch {
            failed.increment()
            throw error
        }
    }

    func top(limit: Int, window: StatsWindow, at time: Date) async throws -> [RouteCount] {
        try await base.top(limit: limit, window: window, at: time)
    }

    func count(_ path: String) async throws -> Int64 {
        try await base.count(path)
    }
}
