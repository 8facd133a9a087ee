public import TickstreamRules

/// Where a re-simulation first differs from the recording, and how.
public struct Divergence: Sendable, CustomStringConvertible {
    public var tick: UInt64
    public var expectedHash: UInt64
    public var actualHash: UInt64
    /// Why the tick differs, in a few words (the hash, or the tick number itself).
    public var detail: String
    /// The differences between the recorded and the re-simulated state, entities first, in id and field order.
    public var differences: [StateDifference]
    /// The input records applied at the divergent tick, in log order.
    public var inputs: [RecordedInput]
    /// The re-simulated state after the divergent tick.
    public var actual: RoomState
    /// Why the recorded state could not be reconstructed, if it could not (then `differences` is empty).
    public var reconstructionError: String?

    /// The first difference: the entity and field to look at.
    public var first: StateDifference? { differences.first }

    public var description: String {
        var lines = ["diverged at tick \(tick): \(detail) (recorded \(hex(expectedHash)), re-simulated \(hex(actualHash)))"]
        if let first {
            lines.append("first difference: \(first)")
        }
        if differences.count > 1 {
            lines.append("\(differences.count) differences:")
            lines.append(contentsOf: differences.prefix(20).map { "  \($0)" })
            if differences.count > 20 { lines.append("  …") }
        }
        if let reconstructionError {
            lines.append("recorded state not reconstructed: \(reconstructionError)")
        }
        if inputs.isEmpty {
            lines.append("no input was applied at tick \(tick)")
        } else {
            lines.append("inputs applied at tick \(tick):")
            lines.append(contentsOf: inputs.map { "  \(InputSummary($0))" })
        }
        return lines.joined(separator: "\n")
    }
}

func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
}
