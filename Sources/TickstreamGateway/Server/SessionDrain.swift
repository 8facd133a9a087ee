import NIOWebSocket
import ServiceLifecycle

/// Waits for graceful shutdown, then closes every connection with 1001 (going away) and waits, at most
/// `timeout`, for them to end (each logs its player's leave on the way out).
struct SessionDrain: Service {
    let registry: SessionRegistry
    let timeout: Duration

    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return
        }
        registry.closeAll(.goingAway, reason: "server shutting down")
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await registry.waitUntilEmpty() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }
}
