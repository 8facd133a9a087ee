import Testing
import TickstreamRules
import TickstreamSnapshot

@Suite struct SnapshotDeltaTests {
    @Test func appliedDeltaReproducesTarget() throws {
        for seed in SnapshotGenerator.seeds(300) {
            var generator = SnapshotGenerator(seed: seed)
            let schema = generator.schema()
            let baseline = generator.table(schema: schema)
            let target = generator.edit(baseline, elapsedTicks: 1, schema: schema)
            let delta = SnapshotDelta.between(baseline, target)
            #expect(try delta.applied(to: baseline, schema: schema) == target, "seed \(seed)")
            #expect(delta.isEmpty == (baseline == target), "seed \(seed)")
        }
    }

    @Test func betweenListsEachKindOfChange() throws {
        let schema = Self.schema
        let baseline = EntityTable([
            Entity(id: 1, kind: 0, fields: [1, 2]),
            Entity(id: 2, kind: 0, fields: [3, 4]),
            Entity(id: 3, kind: 0, fields: [5, 6]),
            Entity(id: 4, kind: 0, fields: [7, 8]),
        ])
        let target = EntityTable([
            Entity(id: 1, kind: 0, fields: [1, 2]),
            Entity(id: 3, kind: 0, fields: [5, 60]),
            Entity(id: 4, kind: 1, fields: [9]),
            Entity(id: 9, kind: 1, fields: [10]),
        ])
        let delta = SnapshotDelta.between(baseline, target)
        #expect(delta.removed == [2, 4])
        #expect(delta.added == [Entity(id: 4, kind: 1, fields: [9]), Entity(id: 9, kind: 1, fields: [10])])
        #expect(delta.changed == [ChangedEntity(id: 3, kind: 0, changedFields: 0b10, values: [60])])
        #expect(try delta.applied(to: baseline, schema: schema) == target)
    }

    @Test func invalidDeltasThrow() {
        let schema = Self.schema
        let baseline = EntityTable([Entity(id: 1, kind: 0, fields: [1, 2]), Entity(id: 5, kind: 1, fields: [3])])
        let cases: [(SnapshotDelta, SnapshotDecodingError)] = [
            (SnapshotDelta(removed: [2]), .unknownBaselineEntity),
            (SnapshotDelta(removed: [9]), .unknownBaselineEntity),
            (SnapshotDelta(removed: [5, 1]), .idOrderViolated),
            (SnapshotDelta(added: [Entity(id: 1, kind: 0, fields: [0, 0])]), .duplicateEntity),
            (SnapshotDelta(added: [Entity(id: 2, kind: 7, fields: [])]), .unknownKind),
            (SnapshotDelta(added: [Entity(id: 2, kind: 1, fields: [1, 2])]), .fieldCountMismatch),
            (
                SnapshotDelta(changed: [ChangedEntity(id: 3, kind: 0, changedFields: 1, values: [1])]),
                .unknownBaselineEntity
            ),
            (
                SnapshotDelta(changed: [ChangedEntity(id: 1, kind: 0, changedFields: 0b100, values: [1])]),
                .fieldMaskOutOfRange
            ),
            (
                SnapshotDelta(changed: [ChangedEntity(id: 1, kind: 0, changedFields: 0b11, values: [1])]),
                .fieldCountMismatch
            ),
            (SnapshotDelta(changed: [ChangedEntity(id: 5, kind: 0, changedFields: 1, values: [1])]), .unknownKind),
            (
                SnapshotDelta(changed: [ChangedEntity(id: 1, kind: 0, changedFields: 1, values: [1])], removed: [1]),
                .unknownBaselineEntity
            ),
        ]
        for (delta, expected) in cases {
            #expect(throws: expected, "\(delta)") { try delta.applied(to: baseline, schema: schema) }
        }
    }

    static let schema = EntitySchema(kinds: [
        EntityKind(name: "pair", fields: [EntityField("a"), EntityField("b")]),
        EntityKind(name: "single", fields: [EntityField("a")]),
    ])
}
