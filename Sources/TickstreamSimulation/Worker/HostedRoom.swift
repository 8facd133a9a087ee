import TickstreamRules

/// A room a worker runs, with what the worker needs besides the engine.
///
/// A class so that the host mutates rooms in place; only `RoomHost` (an actor) ever holds one.
final class HostedRoom {
    var engine: RoomEngine
    /// The index of the room's input (and state, and checkpoint) partition.
    let partition: Int32
    var schedule: TickSchedule
    /// The state of the last published tick: the baseline of the next delta.
    var published: RoomState?
    /// Ticks recorded by the previous owner, to re-simulate before going live; empty once live.
    var pendingReplay: [RecordedTick]
    /// Increases on each takeover, so that readers prefer the new owner's records.
    let epoch: UInt64
    /// Records below this offset were applied before the checkpoint the room was restored from.
    let firstInputOffset: Int64
    /// Inputs below this offset are covered by a delivered checkpoint (or precede the room).
    var coveredOffset: Int64
    var ticksSinceCheckpoint: UInt64 = 0
    var forceKeyframe = true

    init(engine: RoomEngine, partition: Int32, schedule: TickSchedule, published: RoomState?, pendingReplay: [RecordedTick], epoch: UInt64, firstInputOffset: Int64) {
        self.engine = engine
        self.partition = partition
        self.schedule = schedule
        self.published = published
        self.pendingReplay = pendingReplay
        self.epoch = epoch
        self.firstInputOffset = firstInputOffset
        self.coveredOffset = firstInputOffset
    }

    var isLive: Bool { pendingReplay.isEmpty }
}
