public import TickstreamRules

/// One way a re-simulated state differs from the recorded one.
public enum StateDifference: Sendable, Hashable, CustomStringConvertible {
    /// A field of an entity present in both.
    case field(entity: EntityID, kind: String, field: String, expected: Int64, actual: Int64)
    /// The recorded state has the entity, the re-simulation not.
    case missingEntity(EntityID, kind: String)
    /// The re-simulation has an entity the recorded state does not.
    case unexpectedEntity(EntityID, kind: String)
    /// The entity has another kind.
    case kind(entity: EntityID, expected: String, actual: String)
    /// A player's entity or last applied input sequence; nil where the player is absent.
    case player(PlayerID, what: String, expected: String, actual: String)
    case nextEntityID(expected: EntityID, actual: EntityID)

    public var description: String {
        switch self {
        case .field(let entity, let kind, let field, let expected, let actual):
            "entity \(entity) (\(kind)) field \(field): recorded \(expected), re-simulated \(actual)"
        case .missingEntity(let entity, let kind):
            "entity \(entity) (\(kind)): recorded, missing from the re-simulation"
        case .unexpectedEntity(let entity, let kind):
            "entity \(entity) (\(kind)): re-simulated, not in the record"
        case .kind(let entity, let expected, let actual):
            "entity \(entity): recorded kind \(expected), re-simulated \(actual)"
        case .player(let player, let what, let expected, let actual):
            "player \(player) \(what): recorded \(expected), re-simulated \(actual)"
        case .nextEntityID(let expected, let actual):
            "next entity id: recorded \(expected), re-simulated \(actual)"
        }
    }

    /// The entity the difference is about, if any.
    public var entity: EntityID? {
        switch self {
        case .field(let entity, _, _, _, _), .missingEntity(let entity, _), .unexpectedEntity(let entity, _),
            .kind(let entity, _, _):
            entity
        case .player, .nextEntityID:
            nil
        }
    }

    /// Every difference between the `expected` and `actual` entities, in id then field order.
    static func between(_ expected: EntityTable, _ actual: EntityTable, schema: EntitySchema) -> [StateDifference] {
        func kindName(_ kind: UInt8) -> String {
            Int(kind) < schema.kinds.count ? schema.kinds[Int(kind)].name : "kind \(kind)"
        }
        var differences: [StateDifference] = []
        var e = expected.startIndex
        var a = actual.startIndex
        while e < expected.endIndex || a < actual.endIndex {
            if a == actual.endIndex || (e < expected.endIndex && expected[e].id < actual[a].id) {
                differences.append(.missingEntity(expected[e].id, kind: kindName(expected[e].kind)))
                e += 1
            } else if e == expected.endIndex || actual[a].id < expected[e].id {
                differences.append(.unexpectedEntity(actual[a].id, kind: kindName(actual[a].kind)))
                a += 1
            } else {
                let recorded = expected[e]
                let simulated = actual[a]
                if recorded.kind != simulated.kind {
                    differences.append(.kind(entity: recorded.id, expected: kindName(recorded.kind), actual: kindName(simulated.kind)))
                } else {
                    let fields = Int(recorded.kind) < schema.kinds.count ? schema.kinds[Int(recorded.kind)].fields : []
                    for index in recorded.fields.indices where index < simulated.fields.count && recorded.fields[index] != simulated.fields[index] {
                        let name = index < fields.count ? fields[index].name : "#\(index)"
                        differences.append(.field(entity: recorded.id, kind: kindName(recorded.kind), field: name, expected: recorded.fields[index], actual: simulated.fields[index]))
                    }
                }
                e += 1
                a += 1
            }
        }
        return differences
    }

    /// Every difference between the recorded and re-simulated players, in player order.
    static func between(_ expected: [RoomPlayer], _ actual: [RoomPlayer]) -> [StateDifference] {
        let ids = Set(expected.map(\.id)).union(actual.map(\.id)).sorted()
        var differences: [StateDifference] = []
        for id in ids {
            let recorded = expected.first { $0.id == id }
            let simulated = actual.first { $0.id == id }
            switch (recorded, simulated) {
            case (let recorded?, let simulated?):
                if recorded.entity != simulated.entity {
                    differences.append(.player(id, what: "entity", expected: "\(recorded.entity ?? 0)", actual: "\(simulated.entity ?? 0)"))
                }
                if recorded.lastAppliedSequence != simulated.lastAppliedSequence {
                    differences.append(.player(id, what: "last applied input", expected: "\(recorded.lastAppliedSequence)", actual: "\(simulated.lastAppliedSequence)"))
                }
            case (.some, nil):
                differences.append(.player(id, what: "presence", expected: "in the room", actual: "absent"))
            case (nil, .some):
                differences.append(.player(id, what: "presence", expected: "absent", actual: "in the room"))
            case (nil, nil):
                break
            }
        }
        return differences
    }
}
