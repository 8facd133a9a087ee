import TickstreamRules

/// Builds the decoded state of a delta: walks the baseline in id order, carrying every entity the delta
/// does not mention forward at its predicted values, and enforces the entity limit.
struct DeltaTableBuilder {
    private let baseline: EntityTable
    private let prediction: SnapshotPrediction
    private var baselineIndex: Int
    private var entities: [Entity]

    init(baseline: EntityTable, prediction: SnapshotPrediction) {
        self.baseline = baseline
        self.prediction = prediction
        self.baselineIndex = baseline.startIndex
        self.entities = []
        entities.reserveCapacity(baseline.count)
    }

    var table: EntityTable { EntityTable(sortedUnchecked: entities) }

    /// Carries the baseline entities with ids below `id` forward, then consumes and returns the baseline's
    /// entity with `id`, if any.
    mutating func copyBaseline(before id: EntityID, offset: Int) throws(SnapshotDecodingError) -> Entity? {
        while baselineIndex < baseline.endIndex, baseline[baselineIndex].id < id {
            try append(prediction.predicted(checkedBaseline(baselineIndex)), offset: offset)
            baselineIndex += 1
        }
        guard baselineIndex < baseline.endIndex, baseline[baselineIndex].id == id else { return nil }
        defer { baselineIndex += 1 }
        return try checkedBaseline(baselineIndex)
    }

    mutating func copyRemainingBaseline(offset: Int) throws(SnapshotDecodingError) {
        while baselineIndex < baseline.endIndex {
            try append(prediction.predicted(checkedBaseline(baselineIndex)), offset: offset)
            baselineIndex += 1
        }
    }

    mutating func append(_ entity: Entity, offset: Int) throws(SnapshotDecodingError) {
        guard entities.count < SnapshotCodec.maximumEntityCount else { throw .entityCountOverLimit.at(offset) }
        entities.append(entity)
    }

    /// The baseline entity at `index`, checked against the schema (the prediction indexes its fields).
    private func checkedBaseline(_ index: Int) throws(SnapshotDecodingError) -> Entity {
        let entity = baseline[index]
        guard prediction.schema.fieldCount(of: entity.kind) == entity.fields.count else { throw .invalidBaseline }
        return entity
    }
}
