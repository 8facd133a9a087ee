import Testing
import TickstreamRules

@Suite struct EntityTableTests {
    @Test func fieldsReadAndWrittenByPositionAreTheEntitysFields() {
        var table = EntityTable([
            Entity(id: 7, kind: 1, fields: [70, 71]),
            Entity(id: 3, kind: 0, fields: [30, 31, 32]),
            Entity(id: 9, kind: 2, fields: []),
        ])
        #expect(table.indices.map { table.id(at: $0) } == [3, 7, 9])
        #expect(table.indices.map { table.kind(at: $0) } == [0, 1, 2])
        #expect(table.indices.map { table.fieldCount(at: $0) } == [3, 2, 0])
        #expect(table[1, field: 1] == 71)
        table[1, field: 0] = -1
        #expect(table[id: 7] == Entity(id: 7, kind: 1, fields: [-1, 71]))
        #expect(table[id: 3] == Entity(id: 3, kind: 0, fields: [30, 31, 32]))
        #expect(table.fieldValueCount == 5)
    }

    @Test func appendedEntitiesStartAtZero() {
        var table = EntityTable()
        let first = table.append(id: 2, kind: 0, fieldCount: 2)
        let second = table.append(id: 5, kind: 1, fieldCount: 1)
        table[second, field: 0] = 9
        #expect(first == 0 && second == 1)
        #expect(Array(table) == [Entity(id: 2, kind: 0, fields: [0, 0]), Entity(id: 5, kind: 1, fields: [9])])
    }

    /// Random upserts (new entities and replacements with other field counts), updates and removals, checked
    /// after each against a plain sorted array of entities.
    @Test func changesKeepTheTableEqualToItsEntities() {
        var random = DeterministicRandom(seed: 42)
        var table = EntityTable()
        var model: [EntityID: Entity] = [:]
        for step in 0..<2_000 {
            let id = EntityID(random.next() % 40)
            switch random.next() % 4 {
            case 0, 1:
                let count = Int(random.next() % 5)
                let entity = Entity(id: id, kind: UInt8(count), fields: (0..<count).map { _ in Int64(random.next() % 1000) })
                table.upsert(entity)
                model[id] = entity
            case 2:
                // Every field moves, and every third step the entity gains a field (and a kind to match).
                let delta = Int64(step)
                let change = { (entity: inout Entity) in
                    entity.fields = entity.fields.map { $0 + delta } + (delta % 3 == 0 ? [delta] : [])
                    entity.kind = UInt8(entity.fields.count)
                }
                #expect(table.update(id, change) == (model[id] != nil))
                if var entity = model[id] {
                    change(&entity)
                    model[id] = entity
                }
            default:
                #expect(table.remove(id) == model.removeValue(forKey: id))
            }
            let expected = model.values.sorted { $0.id < $1.id }
            #expect(Array(table) == expected, "step \(step)")
            // The same entities give the same table however it was built: equality and hashing see no history.
            #expect(table == EntityTable(expected), "step \(step)")
            #expect(table.hashValue == EntityTable(expected).hashValue, "step \(step)")
            #expect(table.fieldValueCount == expected.reduce(0) { $0 + $1.fields.count }, "step \(step)")
        }
    }

    @Test func removeAllWhereKeepsTheOthersInOrder() {
        var table = EntityTable((1...6).map { Entity(id: $0, kind: 0, fields: [Int64($0)]) })
        table.removeAll { $0.id % 2 == 0 }
        #expect(table.indices.map { table.id(at: $0) } == [1, 3, 5])
        #expect(table.indices.map { table[$0, field: 0] } == [1, 3, 5])
    }
}

