import Foundation
import TickstreamRules

/// Random schemas, states and edits for property tests, reproducible from a seed.
///
/// Values favour the edges (0, ±1, `Int64.min`, `Int64.max`, large velocities) where wrapping
/// arithmetic and varint lengths go wrong.
struct SnapshotGenerator {
    let seed: UInt64
    var random: DeterministicRandom

    init(seed: UInt64) {
        self.seed = seed
        self.random = DeterministicRandom(seed: seed)
    }

    /// The seeds a property test runs: `count` of them, from `TICKSTREAM_TEST_SEED` if set, so that a
    /// failure printed with its seed can be rerun alone.
    static func seeds(_ count: UInt64) -> [UInt64] {
        if let text = ProcessInfo.processInfo.environment["TICKSTREAM_TEST_SEED"], let seed = UInt64(text) {
            return [seed]
        }
        return Array(0..<count)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &random)
    }

    mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &random) < probability
    }

    mutating func schema() -> EntitySchema {
        let kindCount = int(1...4)
        var kinds: [EntityKind] = []
        for kindIndex in 0..<kindCount {
            // Now and then a kind with no fields, or with all 64 (the mask's last bit).
            let fieldCount = chance(0.1) ? 64 : int(0...8)
            var fields: [EntityField] = []
            for index in 0..<fieldCount {
                let velocityField = chance(0.4) ? int(0...fieldCount - 1) : nil
                fields.append(EntityField("f\(index)", velocityField: velocityField))
            }
            kinds.append(EntityKind(name: "k\(kindIndex)", fields: fields))
        }
        return EntitySchema(kinds: kinds)
    }

    static let edgeValues: [Int64] = [.min, .max, 0, -1, 1, .min + 1, .max - 1]

    mutating func value() -> Int64 {
        switch int(0...9) {
        case 0: Self.edgeValues[int(0...Self.edgeValues.count - 1)]
        case 1: Int64.random(in: .min ... .max, using: &random)
        case 2: Int64.random(in: -(1 << 40)...(1 << 40), using: &random)
        default: Int64.random(in: -3000...3000, using: &random)
        }
    }

    mutating func entity(id: EntityID, schema: EntitySchema) -> Entity {
        let kind = UInt8(int(0...schema.kinds.count - 1))
        let fields = (0..<schema.kinds[Int(kind)].fields.count).map { _ in value() }
        return Entity(id: id, kind: kind, fields: fields)
    }

    /// A fresh id: usually close to the last, sometimes a huge gap or the largest id there is.
    mutating func nextID(after id: EntityID) -> EntityID? {
        guard id < EntityID.max else { return nil }
        switch int(0...19) {
        case 0: return EntityID.max
        case 1: return id + EntityID.random(in: 1...(EntityID.max - id), using: &random)
        default: return id + EntityID(min(UInt64(int(1...3)), UInt64(EntityID.max - id)))
        }
    }

    mutating func table(schema: EntitySchema, maximumCount: Int = 40) -> EntityTable {
        var entities: [Entity] = []
        var id: EntityID? = chance(0.2) ? 0 : EntityID(int(1...100))
        for _ in 0..<int(0...maximumCount) {
            guard let current = id else { break }
            entities.append(entity(id: current, schema: schema))
            id = nextID(after: current)
        }
        return EntityTable(sortedUnchecked: entities)
    }

    /// A state after `baseline`, `elapsedTicks` later: entities removed, added, retyped, moved steadily
    /// (exactly as predicted) and changed arbitrarily.
    mutating func edit(
        _ baseline: EntityTable,
        elapsedTicks: UInt64,
        schema: EntitySchema
    ) -> EntityTable {
        let prediction = Int64(truncatingIfNeeded: elapsedTicks)
        var entities: [Entity] = []
        for var entity in baseline {
            switch int(0...9) {
            case 0:
                continue
            case 1:
                entities.append(self.entity(id: entity.id, schema: schema))
                continue
            default:
                break
            }
            let kind = schema.kinds[Int(entity.kind)]
            let old = entity.fields
            for index in old.indices {
                if let velocity = kind.fields[index].velocityField {
                    entity.fields[index] = old[index] &+ old[velocity] &* prediction
                }
                if chance(0.2) {
                    entity.fields[index] = chance(0.5) ? entity.fields[index] &+ Int64(int(-5...5)) : value()
                }
            }
            entities.append(entity)
        }
        var table = EntityTable(sortedUnchecked: entities)
        var id = baseline.last?.id ?? 0
        for _ in 0..<int(0...3) {
            guard let next = nextID(after: id) else { break }
            table.upsert(entity(id: next, schema: schema))
            id = next
        }
        // An id below the baseline's last, as if allocated out of order.
        let lowID = EntityID(int(0...200))
        if chance(0.3), table[id: lowID] == nil {
            table.upsert(entity(id: lowID, schema: schema))
        }
        return table
    }

    /// Ticks for a delta: usually 1–3 apart, sometimes equal, far apart or wrapping around.
    mutating func ticks() -> (baseline: UInt64, target: UInt64) {
        let baseline = UInt64.random(in: 0...UInt64.max, using: &random)
        switch int(0...9) {
        case 0: return (baseline, baseline)
        case 1: return (baseline, UInt64.random(in: 0...UInt64.max, using: &random))
        default: return (baseline, baseline &+ UInt64(int(1...3)))
        }
    }
}
