import AssayDomain
import Hummingbird

/// `/health` (the process answers) and `/ready` (every adapter answers, and the server is not shutting down).
struct HealthController {
    typealias Probe = (name: String, check: @Sendable () async throws -> Void)

    struct Status: ResponseEncodable {
        let status: String
        let checks: [String: String]?
    }

    let probes: [Probe]
    /// While it drains, `/ready` is 503 whatever the adapters say: a load balancer stops sending here.
    var drain: ShutdownDrain?

    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("/health") { _, _ in Status(status: "ok", checks: nil) }
        routes.get("/ready") { _, _ in try await ready() }
        return routes
    }

    private func ready() async throws -> Status {
        if drain?.isDraining == true {
            throw Problem(.serviceUnavailable, detail: "not ready: the server is shutting down")
        }
        var checks: [String: String] = [:]
        var failures: [String] = []
        for probe in probes {
            do {
                try await probe.check()
                checks[probe.name] = "ok"
            } catch {
                checks[probe.name] = "unavailable"
                failures.append(probe.name)
            }
        }
        guard failures.isEmpty else {
            throw Problem(.serviceUnavailable, detail: "not ready: \(failures.joined(separator: ", ")) unavailable")
        }
        return Status(status: "ready", checks: checks)
    }
}
