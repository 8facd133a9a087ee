import TickstreamProtocol

/// One input record in a line: offset, player and action, for divergence reports.
struct InputSummary: CustomStringConvertible {
    let input: RecordedInput

    init(_ input: RecordedInput) {
        self.input = input
    }

    var description: String {
        let record = input.record
        let action: String
        switch record.action {
        case .input(let value): action = "input #\(value.sequence) payload \([UInt8](value.payload))"
        case .join: action = "join"
        case .leave(let leave): action = leave.dropped ? "leave (dropped)" : "leave"
        case .relay(let relay): action = "relay \(relay.kind) to \(relay.toPlayer) (\(relay.payload.count) bytes)"
        case nil: action = "no action"
        }
        return "offset \(input.offset) player \(record.player): \(action)"
    }
}
