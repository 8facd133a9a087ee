public import TickstreamProtocol

extension RoomCommand {
    /// The command an input record carries.
    /// - Throws: `RecordError` when the record has no action or no player.
    public init(_ record: InputRecord) throws(RecordError) {
        guard !record.player.isEmpty else { throw RecordError("input record without a player") }
        switch record.action {
        case .input(let input):
            self = .input(record.player, sequence: input.sequence, payload: [UInt8](input.payload))
        case .join:
            self = .join(record.player)
        case .leave(let leave):
            self = .leave(record.player, dropped: leave.dropped)
        case .relay(let relay):
            self = .relay(from: record.player, to: relay.toPlayer, kind: relay.kind, payload: [UInt8](relay.payload))
        case nil:
            throw RecordError("input record without an action")
        }
    }
}

/// A Kafka record that does not make sense to the worker; the reason goes to the dead letters.
public struct RecordError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
