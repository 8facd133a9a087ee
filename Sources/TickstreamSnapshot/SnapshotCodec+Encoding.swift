public import TickstreamRules

extension SnapshotCodec {
    /// Appends the keyframe of `table` to `buffer`, for callers that reuse one buffer.
    public static func encodeKeyframe(_ table: EntityTable, schema: EntitySchema, into buffer: inout [UInt8]) {
        buffer.append(keyframeHeader)
        buffer.appendVarint(UInt64(table.count))
        var nextID: UInt64 = 0
        for position in table.indices {
            let id = table.id(at: position)
            buffer.appendVarint(UInt64(id) - nextID)
            nextID = UInt64(id) + 1
            appendFull(position, of: table, schema: schema, into: &buffer)
        }
    }

    /// Appends the delta from `baseline` to `target` to `buffer`, for callers that reuse one buffer.
    public static func encodeDelta(
        from baseline: EntityTable,
        baselineTick: UInt64,
        to target: EntityTable,
        tick: UInt64,
        schema: EntitySchema,
        into buffer: inout [UInt8]
    ) {
        buffer.append(deltaHeader)
        let prediction = SnapshotPrediction(schema: schema, elapsedTicks: tick &- baselineTick)
        var nextID: UInt64 = 0
        var baselineIndex = baseline.startIndex
        var targetIndex = target.startIndex
        // Both tables are sorted by id: walk them together, like a merge.
        while baselineIndex < baseline.endIndex || targetIndex < target.endIndex {
            if targetIndex == target.endIndex
                || (baselineIndex < baseline.endIndex && baseline.id(at: baselineIndex) < target.id(at: targetIndex))
            {
                appendEntryHeader(.removed, id: baseline.id(at: baselineIndex), nextID: &nextID, into: &buffer)
                baselineIndex += 1
            } else if baselineIndex == baseline.endIndex || target.id(at: targetIndex) < baseline.id(at: baselineIndex) {
                appendEntryHeader(.full, id: target.id(at: targetIndex), nextID: &nextID, into: &buffer)
                appendFull(targetIndex, of: target, schema: schema, into: &buffer)
                targetIndex += 1
            } else {
                appendChange(
                    from: baselineIndex,
                    of: baseline,
                    to: targetIndex,
                    of: target,
                    prediction: prediction,
                    nextID: &nextID,
                    into: &buffer
                )
                baselineIndex += 1
                targetIndex += 1
            }
        }
    }

    private static func appendEntryHeader(
        _ type: DeltaEntryType,
        id: EntityID,
        nextID: inout UInt64,
        into buffer: inout [UInt8]
    ) {
        buffer.appendVarint((UInt64(id) - nextID) << 2 | type.rawValue)
        nextID = UInt64(id) + 1
    }

    /// Appends the kind and every field of the entity at `position` in `table`.
    private static func appendFull(
        _ position: Int,
        of table: EntityTable,
        schema: EntitySchema,
        into buffer: inout [UInt8]
    ) {
        let kind = table.kind(at: position)
        let fieldCount = table.fieldCount(at: position)
        precondition(
            schema.fieldCount(of: kind) == fieldCount,
            "entity \(table.id(at: position)) does not match its kind \(kind) in the schema"
        )
        buffer.append(kind)
        for field in 0..<fieldCount {
            buffer.appendZigZag(table[position, field: field])
        }
    }

    /// Appends a changed entry for the fields of the target entity that differ from the prediction of the baseline
    /// entity with its id, a full entry if the kind changed, and nothing if the prediction is exact.
    private static func appendChange(
        from baselinePosition: Int,
        of baseline: EntityTable,
        to targetPosition: Int,
        of target: EntityTable,
        prediction: SnapshotPrediction,
        nextID: inout UInt64,
        into buffer: inout [UInt8]
    ) {
        let id = target.id(at: targetPosition)
        let kind = target.kind(at: targetPosition)
        guard baseline.kind(at: baselinePosition) == kind else {
            appendEntryHeader(.full, id: id, nextID: &nextID, into: &buffer)
            appendFull(targetPosition, of: target, schema: prediction.schema, into: &buffer)
            return
        }
        let fieldCount = target.fieldCount(at: targetPosition)
        precondition(
            prediction.schema.fieldCount(of: kind) == fieldCount
                && baseline.fieldCount(at: baselinePosition) == fieldCount,
            "entity \(id) does not match its kind \(kind) in the schema"
        )
        var mask: UInt64 = 0
        for field in 0..<fieldCount
        where target[targetPosition, field: field] != prediction.value(field, at: baselinePosition, of: baseline) {
            mask |= 1 << UInt64(field)
        }
        guard mask != 0 else { return }
        appendEntryHeader(.changed, id: id, nextID: &nextID, into: &buffer)
        buffer.appendVarint(mask)
        for field in 0..<fieldCount where mask & (1 << UInt64(field)) != 0 {
            let predicted = prediction.value(field, at: baselinePosition, of: baseline)
            buffer.appendZigZag(target[targetPosition, field: field] &- predicted)
        }
    }
}
