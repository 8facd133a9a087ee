/// Thrown by ``withTimeout(_:_:)`` when the body takes too long.
public struct TimeoutError: Error, CustomStringConvertible {
    public let limit: Duration

    public init(limit: Duration) {
        self.limit = limit
    }

    public var description: String { "timed out after \(limit)" }
}

/// Runs `body`, failing with ``TimeoutError`` if it takes longer than `limit`.
public func withTimeout<T: Sendable>(
    _ limit: Duration,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimeoutError(limit: limit)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
