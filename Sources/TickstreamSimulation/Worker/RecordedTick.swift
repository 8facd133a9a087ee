import TickstreamProtocol

/// A tick as the log recorded it: which inputs it applied, and the hash it produced.
///
/// A new owner of a room, and replay, re-simulate these to reproduce the same states.
public struct RecordedTick: Sendable, Hashable {
    public var tick: UInt64
    /// The offset of the last input applied at or before the tick; -1 if none.
    public var inputWatermark: Int64
    public var stateHash: UInt64
    public var epoch: UInt64

    public init(tick: UInt64, inputWatermark: Int64, stateHash: UInt64, epoch: UInt64) {
        self.tick = tick
        self.inputWatermark = inputWatermark
        self.stateHash = stateHash
        self.epoch = epoch
    }
}

/// A checkpoint and the partition it belongs in (the room's input partition index).
struct RoomCheckpoint: Sendable {
    let partition: Int32
    let record: Checkpoint
}
