import Testing
import TickstreamRules
import TickstreamSnapshot

@Suite struct SnapshotCodecTests {
    @Test func keyframesRoundTrip() throws {
        for seed in SnapshotGenerator.seeds(300) {
            var generator = SnapshotGenerator(seed: seed)
            let schema = generator.schema()
            let table = generator.table(schema: schema)
            let payload = SnapshotCodec.encodeKeyframe(table, schema: schema)
            let decoded = try SnapshotCodec.decode(payload, baseline: nil, baselineTick: nil, tick: 7, schema: schema)
            #expect(decoded == table, "seed \(seed)")
            #expect(decoded.entityHash == table.entityHash, "seed \(seed)")
        }
    }

    @Test func deltasRoundTripThroughChurnAndOverflow() throws {
        for seed in SnapshotGenerator.seeds(500) {
            var generator = SnapshotGenerator(seed: seed)
            let schema = generator.schema()
            var baseline = generator.table(schema: schema)
            // A chain of deltas, each against the state the client decoded last.
            for step in 0..<4 {
                let ticks = generator.ticks()
                let target = generator.edit(baseline, elapsedTicks: ticks.target &- ticks.baseline, schema: schema)
                let payload = SnapshotCodec.encodeDelta(
                    from: baseline, baselineTick: ticks.baseline, to: target, tick: ticks.target, schema: schema)
                let decoded = try SnapshotCodec.decode(
                    payload, baseline: baseline, baselineTick: ticks.baseline, tick: ticks.target, schema: schema)
                #expect(decoded == target, "seed \(seed), step \(step)")
                #expect(decoded.entityHash == target.entityHash, "seed \(seed), step \(step)")
                baseline = decoded
            }
        }
    }

    @Test func emptyTablesRoundTrip() throws {
        let schema = EntitySchema(kinds: [EntityKind(name: "dot", fields: [EntityField("x")])])
        let dot = EntityTable([Entity(id: 3, kind: 0, fields: [9])])
        let cases: [(EntityTable, EntityTable)] = [
            (EntityTable(), EntityTable()), (EntityTable(), dot), (dot, EntityTable()),
        ]
        for (baseline, target) in cases {
            let payload = SnapshotCodec.encodeDelta(
                from: baseline, baselineTick: 1, to: target, tick: 2, schema: schema)
            #expect(
                try SnapshotCodec.decode(payload, baseline: baseline, baselineTick: 1, tick: 2, schema: schema)
                    == target)
        }
        let keyframe = SnapshotCodec.encodeKeyframe(EntityTable(), schema: schema)
        #expect(keyframe.count == 2)
        #expect(try SnapshotCodec.decode(keyframe, baseline: nil, baselineTick: nil, tick: 0, schema: schema).isEmpty)
    }

    @Test func extremeIdsAndValuesRoundTrip() throws {
        let schema = EntitySchema(kinds: [
            EntityKind(name: "mover", fields: [EntityField("x", velocityField: 1), EntityField("v")])
        ])
        let baseline = EntityTable([
            Entity(id: 0, kind: 0, fields: [.max, .max]),
            Entity(id: 1 << 31, kind: 0, fields: [.min, -1]),
            Entity(id: .max, kind: 0, fields: [0, .min]),
        ])
        // Every prediction overflows: x + v × elapsed wraps.
        let target = EntityTable([
            Entity(id: 0, kind: 0, fields: [.min, .max]),
            Entity(id: 1 << 31, kind: 0, fields: [.max, .min]),
            Entity(id: .max, kind: 0, fields: [.max, .min]),
        ])
        for (baselineTick, tick) in [(UInt64(5), UInt64(8)), (.max, 2), (9, 1), (0, .max)] {
            let payload = SnapshotCodec.encodeDelta(
                from: baseline, baselineTick: baselineTick, to: target, tick: tick, schema: schema)
            let decoded = try SnapshotCodec.decode(
                payload, baseline: baseline, baselineTick: baselineTick, tick: tick, schema: schema)
            #expect(decoded == target, "ticks \(baselineTick) → \(tick)")
        }
        let keyframe = SnapshotCodec.encodeKeyframe(target, schema: schema)
        #expect(try SnapshotCodec.decode(keyframe, baseline: nil, baselineTick: nil, tick: 0, schema: schema) == target)
    }

    @Test func steadyMoversCostNothing() throws {
        let schema = Self.moverSchema
        var baseline = EntityTable()
        var target = EntityTable()
        for id in EntityID(1)...25 {
            let velocity = Int64(id) * 37 - 500
            baseline.upsert(Entity(id: id, kind: 0, fields: [Int64(id) * 1000, -7000, velocity, 1000, 3]))
            target.upsert(Entity(id: id, kind: 0, fields: [Int64(id) * 1000 + velocity * 3, -4000, velocity, 1000, 3]))
        }
        let predicted = SnapshotCodec.encodeDelta(
            from: baseline, baselineTick: 10, to: target, tick: 13, schema: schema)
        // The same difference without prediction: encoded with no elapsed ticks, every position is a change.
        let plain = SnapshotCodec.encodeDelta(from: baseline, baselineTick: 13, to: target, tick: 13, schema: schema)
        #expect(predicted.count == 1)
        #expect(plain.count > 25 * 4)
        #expect(
            try SnapshotCodec.decode(predicted, baseline: baseline, baselineTick: 10, tick: 13, schema: schema)
                == target)
        #expect(
            try SnapshotCodec.decode(plain, baseline: baseline, baselineTick: 13, tick: 13, schema: schema) == target)
    }

    @Test func turningMoverCostsItsChangedFieldsOnly() throws {
        let schema = Self.moverSchema
        let baseline = EntityTable([Entity(id: 4, kind: 0, fields: [0, 0, 1000, 0, 7])])
        // Turned a tick ago: x kept going one tick, then y moved one tick; the heading changed.
        let target = EntityTable([Entity(id: 4, kind: 0, fields: [1000, 1000, 0, 1000, 8])])
        let payload = SnapshotCodec.encodeDelta(from: baseline, baselineTick: 0, to: target, tick: 2, schema: schema)
        // Header, entry header, mask, then the differences from the prediction: x (predicted 2000) -1000,
        // y, vx and vy ±1000 (two bytes each), heading 1 (one byte).
        #expect(payload.count == 1 + 1 + 1 + 2 * 4 + 1)
        #expect(
            try SnapshotCodec.decode(payload, baseline: baseline, baselineTick: 0, tick: 2, schema: schema) == target)
    }

    @Test func kindChangeRoundTrips() throws {
        let schema = EntitySchema(kinds: [
            EntityKind(name: "a", fields: [EntityField("x")]),
            EntityKind(name: "b", fields: [EntityField("x"), EntityField("y")]),
        ])
        let baseline = EntityTable([Entity(id: 2, kind: 0, fields: [5])])
        let target = EntityTable([Entity(id: 2, kind: 1, fields: [5, 6])])
        let payload = SnapshotCodec.encodeDelta(from: baseline, baselineTick: 1, to: target, tick: 2, schema: schema)
        #expect(
            try SnapshotCodec.decode(payload, baseline: baseline, baselineTick: 1, tick: 2, schema: schema) == target)
    }

    @Test func appendingVariantsAppend() {
        let schema = Self.moverSchema
        let table = EntityTable([Entity(id: 1, kind: 0, fields: [1, 2, 3, 4, 5])])
        var buffer: [UInt8] = [0xAA]
        SnapshotCodec.encodeKeyframe(table, schema: schema, into: &buffer)
        #expect(buffer == [0xAA] + SnapshotCodec.encodeKeyframe(table, schema: schema))
        buffer = [0xAA]
        SnapshotCodec.encodeDelta(
            from: EntityTable(), baselineTick: 0, to: table, tick: 1, schema: schema, into: &buffer)
        #expect(
            buffer == [0xAA]
                + SnapshotCodec.encodeDelta(from: EntityTable(), baselineTick: 0, to: table, tick: 1, schema: schema))
    }

    /// A player-like kind: x and y move by vx and vy each tick.
    static let moverSchema = EntitySchema(kinds: [
        EntityKind(
            name: "mover",
            fields: [
                EntityField("x", velocityField: 2), EntityField("y", velocityField: 3),
                EntityField("vx"), EntityField("vy"), EntityField("heading"),
            ])
    ])
}
