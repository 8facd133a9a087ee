import Foundation
import SwiftProtobuf
import Testing
import TickstreamArena
import TickstreamProtocol
import TickstreamRules
import TickstreamSnapshot
@testable import TickstreamGateway

@Suite struct BroadcastEncodingTests {
    let schema = ArenaSchema.schema

    func table(_ x: Int64, pickup: Bool = true) -> EntityTable {
        var entities = [Entity(id: 1, kind: ArenaSchema.Player.kind, fields: [x, 10, 0, 0, 0, 0, 0])]
        if pickup {
            entities.append(Entity(id: 2, kind: ArenaSchema.Pickup.kind, fields: [5, 5, 1]))
        }
        return EntityTable(entities)
    }

    func record(tick: UInt64, baseline: UInt64, _ target: EntityTable, from previous: EntityTable? = nil, epoch: UInt64 = 1) -> StateRecord {
        .with {
            $0.room = "r"
            $0.tick = tick
            $0.baselineTick = baseline
            $0.workerEpoch = epoch
            let bytes =
                if let previous {
                    SnapshotCodec.encodeDelta(from: previous, baselineTick: baseline, to: target, tick: tick, schema: schema)
                } else {
                    SnapshotCodec.encodeKeyframe(target, schema: schema)
                }
            $0.entities = Data(bytes)
        }
    }

    @Test func historyKeepsTheHighestTickAndSkipsDeltasWithoutBaseline() {
        var history = RoomHistory(capacity: 2)
        guard case .unknownState = history.apply(record(tick: 5, baseline: 4, table(2), from: table(1)), schema: schema) else {
            Issue.record("a delta without its baseline decoded")
            return
        }
        guard case .state(let keyframe) = history.apply(record(tick: 6, baseline: 0, table(3)), schema: schema) else {
            Issue.record("keyframe not applied")
            return
        }
        #expect(keyframe == table(3))
        guard case .stale = history.apply(record(tick: 6, baseline: 0, table(3)), schema: schema) else {
            Issue.record("a duplicate of the same epoch was applied")
            return
        }
        guard case .state = history.apply(record(tick: 6, baseline: 0, table(3), epoch: 2), schema: schema) else {
            Issue.record("a higher epoch at the same tick was ignored")
            return
        }
        guard case .state(let delta) = history.apply(record(tick: 7, baseline: 6, table(4, pickup: false), from: table(3)), schema: schema) else {
            Issue.record("delta not applied")
            return
        }
        #expect(delta == table(4, pickup: false))
        _ = history.apply(record(tick: 8, baseline: 0, table(5)), schema: schema)
        #expect(history.entries.map(\.tick) == [7, 8])
        #expect(history.entities(at: 6) == nil)
        history.reset()
        guard case .state = history.apply(record(tick: 1, baseline: 0, table(1)), schema: schema) else {
            Issue.record("a new room after reset was ignored")
            return
        }
    }

    @Test func oneEncodingPerBaselineAndFormat() throws {
        var history = RoomHistory(capacity: 8)
        _ = history.apply(record(tick: 1, baseline: 0, table(1)), schema: schema)
        _ = history.apply(record(tick: 2, baseline: 1, table(2), from: table(1)), schema: schema)
        _ = history.apply(record(tick: 3, baseline: 2, table(3, pickup: false), from: table(2)), schema: schema)
        var encoder = SnapshotEncoder(tick: 3, target: table(3, pickup: false), history: history, schema: schema)

        let fromOneShared = try encoder.snapshot(acknowledgedTick: 1, format: .protobuf)
        let fromOne = fromOneShared.snapshot
        #expect(fromOne.baselineTick == 1)
        #expect(try SnapshotCodec.decode([UInt8](fromOne.payload), baseline: table(1), baselineTick: 1, tick: 3, schema: schema) == table(3, pickup: false))
        #expect(try encoder.snapshot(acknowledgedTick: 1, format: .protobuf) === fromOneShared, "shared, not encoded again")
        #expect(try encoder.snapshot(acknowledgedTick: 0, format: .protobuf).snapshot.baselineTick == 0)
        #expect(try encoder.snapshot(acknowledgedTick: 99, format: .protobuf).snapshot.baselineTick == 0, "unknown baseline: keyframe")
        #expect(encoder.encodingCount == 2)
        #expect(fromOne.entityHash == 0, "a delta off the 30-tick grid carries no hash")
        #expect(try encoder.snapshot(acknowledgedTick: 0, format: .protobuf).snapshot.entityHash == table(3, pickup: false).entityHash, "keyframes do")

        let json = try encoder.snapshot(acknowledgedTick: 2, format: .json).snapshot
        #expect(json.baselineTick == 2)
        #expect(json.payload.isEmpty)
        #expect(json.removed == [2])
        #expect(json.entities.map(\.id) == [1])
        #expect(json.entities.first?.kind == "player")
        #expect(json.entities.first?.fields == ["x": 3])

        let jsonKeyframe = try encoder.snapshot(acknowledgedTick: 0, format: .json).snapshot
        #expect(jsonKeyframe.entities.first?.fields.count == 7)
        #expect(encoder.encodingCount == 4)
    }
}
