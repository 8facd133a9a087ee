import SwiftProtobuf
package import TickstreamProtocol
package import TickstreamRules
import TickstreamSnapshot

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension StateRecord {
    /// The record of one tick of `engine`.
    /// - Parameters:
    ///   - baseline: the state the delta is against, or nil for a keyframe.
    package init(engine: RoomEngine, outcome: TickOutcome, baseline: RoomState?, epoch: UInt64, worker: String) {
        self.init()
        let state = engine.state
        room = engine.room
        tick = state.tick
        if let baseline {
            baselineTick = baseline.tick
            entities = Data(SnapshotCodec.encodeDelta(
                from: baseline.entities, baselineTick: baseline.tick,
                to: state.entities, tick: state.tick, schema: engine.rules.schema
            ))
        } else {
            entities = Data(SnapshotCodec.encodeKeyframe(state.entities, schema: engine.rules.schema))
        }
        players = state.players.map(PlayerProgress.init)
        inputWatermark = engine.inputWatermark
        stateHash = state.stateHash
        workerEpoch = epoch
        events = outcome.events.map(TickstreamProtocol.RoomEvent.init)
        closed = outcome.closed
        tickRate = UInt32(engine.rules.tickRate)
        nextEntityID = state.nextEntityID
        self.worker = worker
    }
}

extension PlayerProgress {
    init(_ player: RoomPlayer) {
        self.init()
        self.player = player.id
        self.entity = player.entity ?? 0
        self.lastAppliedSequence = player.lastAppliedSequence
    }
}

extension RoomPlayer {
    init(_ progress: PlayerProgress) {
        self.init(
            id: progress.player,
            entity: progress.entity == 0 ? nil : progress.entity,
            lastAppliedSequence: progress.lastAppliedSequence
        )
    }
}

extension TickstreamProtocol.RoomEvent {
    init(_ event: TickEvent) {
        self.init()
        switch event {
        case .joined(let player, let entity):
            self.joined = .with {
                $0.player = player
                $0.entity = entity ?? 0
            }
        case .left(let player, let dropped):
            self.left = .with {
                $0.player = player
                $0.dropped = dropped
            }
        case .joinRejected(let player, let reason):
            self.joinRejected = .with {
                $0.player = player
                $0.reason = reason
            }
        case .relay(let from, let to, let kind, let payload):
            self.relay = .with {
                $0.fromPlayer = from
                $0.toPlayer = to
                $0.kind = kind
                $0.payload = Data(payload)
            }
        }
    }
}
