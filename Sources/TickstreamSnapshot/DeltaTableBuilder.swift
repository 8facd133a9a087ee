import TickstreamRules

/// Builds the decoded state of a delta: walks the baseline in id order, carrying every entity the delta
/// does not mention forward at its predicted values, and enforces the entity limit.
struct DeltaTableBuilder {
    private let baseline: EntityTable
    private let prediction: SnapshotPrediction
    private var baselineIndex: Int
    /// The state so far; the decoder appends the delta's entries to it after ``reserveEntity(offset:)``.
    var table = EntityTable()

    init(baseline: EntityTable, prediction: SnapshotPrediction) {
        self.baseline = baseline
        self.prediction = prediction
        self.baselineIndex = baseline.startIndex
        table.reserveCapacity(entities: baseline.count, fields: baseline.fieldValueCount)
    }

    /// Carries the baseline entities with ids below `id` forward, then consumes and returns the position of the
    /// baseline's entity with `id`, if any.
    mutating func copyBaseline(before id: EntityID, offset: Int) throws(SnapshotDecodingError) -> Int? {
        while baselineIndex < baseline.endIndex, baseline.id(at: baselineIndex) < id {
            try appendPredicted(baselineIndex, offset: offset)
            baselineIndex += 1
        }
        guard baselineIndex < baseline.endIndex, baseline.id(at: baselineIndex) == id else { return nil }
        defer { baselineIndex += 1 }
        return baselineIndex
    }

    mutating func copyRemainingBaseline(offset: Int) throws(SnapshotDecodingError) {
        while baselineIndex < baseline.endIndex {
            try appendPredicted(baselineIndex, offset: offset)
            baselineIndex += 1
        }
    }

    /// Appends the baseline entity at `position` at its predicted values; returns its position in ``table``.
    @discardableResult
    mutating func appendPredicted(_ position: Int, offset: Int) throws(SnapshotDecodingError) -> Int {
        try checkBaseline(position)
        try reserveEntity(offset: offset)
        return prediction.appendPredicted(position, of: baseline, to: &table)
    }

    /// Throws if one more entity would take the state over the limit.
    func reserveEntity(offset: Int) throws(SnapshotDecodingError) {
        guard table.count < SnapshotCodec.maximumEntityCount else { throw .entityCountOverLimit.at(offset) }
    }

    /// Checks the baseline entity at `position` against the schema (the prediction indexes its fields).
    private func checkBaseline(_ position: Int) throws(SnapshotDecodingError) {
        guard prediction.schema.fieldCount(of: baseline.kind(at: position)) == baseline.fieldCount(at: position) else {
            throw .invalidBaseline
        }
    }
}
