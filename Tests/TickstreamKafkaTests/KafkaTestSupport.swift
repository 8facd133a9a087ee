import Logging
import Synchronization
import TickstreamKafka

/// A fresh topic name per test, so tests sharing a cluster never see each other's records.
func uniqueTopic(_ prefix: String = "test") -> String {
    "\(prefix)-\(UInt64.random(in: 0...UInt64.max))"
}

let testLogger: Logger = {
    var logger = Logger(label: "tickstream.kafka.tests")
    logger.logLevel = .critical
    return logger
}()

/// Runs `body`, failing with ``KafkaError/timedOut`` if it takes longer than `limit`.
func withTimeout<T: Sendable>(
    _ limit: Duration,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw KafkaError.timedOut
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// A value shared between test tasks.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<T: Sendable>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
}
