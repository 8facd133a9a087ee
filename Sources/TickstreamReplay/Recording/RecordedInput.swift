public import TickstreamProtocol

/// One input record of a room, where the log holds it.
public struct RecordedInput: Sendable, Hashable {
    /// Offset in the room's inputs partition.
    public var offset: Int64
    /// Kafka record timestamp, milliseconds since 1970; -1 if none.
    public var timestamp: Int64
    public var record: InputRecord

    public init(offset: Int64, timestamp: Int64, record: InputRecord) {
        self.offset = offset
        self.timestamp = timestamp
        self.record = record
    }
}
