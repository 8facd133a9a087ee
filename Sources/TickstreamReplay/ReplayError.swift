/// Why a replay could not run: the operator gets a sentence that says what to change.
public struct ReplayError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case unknownRoom
        case offsetOutOfRange
        case clusterUnreachable
        case otherRules
        case badFile
        case tickNotRecorded
        case stalled
    }

    private let code: Code
    /// What went wrong, with the names and numbers involved.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The room has no records where replay looked.
    public static func unknownRoom(_ message: String) -> Self { .init(.unknownRoom, message) }
    /// An offset outside what the partition holds.
    public static func offsetOutOfRange(_ message: String) -> Self { .init(.offsetOutOfRange, message) }
    /// Kafka did not answer in time.
    public static func clusterUnreachable(_ message: String) -> Self { .init(.clusterUnreachable, message) }
    /// The records were made by other rules (name, version or tick rate) than the ones replay runs.
    public static func otherRules(_ message: String) -> Self { .init(.otherRules, message) }
    /// An export file that cannot be read.
    public static func badFile(_ message: String) -> Self { .init(.badFile, message) }
    /// A tick the recording does not cover.
    public static func tickNotRecorded(_ message: String) -> Self { .init(.tickNotRecorded, message) }
    /// Reading a partition made no progress for too long.
    public static func stalled(_ message: String) -> Self { .init(.stalled, message) }

    public var description: String { message }

    /// Equal when of the same kind, whatever the message: match with `error == .unknownRoom("")`.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
