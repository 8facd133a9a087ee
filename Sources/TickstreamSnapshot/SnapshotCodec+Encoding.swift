public import TickstreamRules

extension SnapshotCodec {
    /// Appends the keyframe of `table` to `buffer`, for callers that reuse one buffer.
    public static func encodeKeyframe(_ table: EntityTable, schema: EntitySchema, into buffer: inout [UInt8]) {
        buffer.append(keyframeHeader)
        buffer.appendVarint(UInt64(table.count))
        var nextID: UInt64 = 0
        for entity in table {
            buffer.appendVarint(UInt64(entity.id) - nextID)
            nextID = UInt64(entity.id) + 1
            appendFull(entity, schema: schema, into: &buffer)
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
                || (baselineIndex < baseline.endIndex && baseline[baselineIndex].id < target[targetIndex].id)
            {
                appendEntryHeader(.removed, id: baseline[baselineIndex].id, nextID: &nextID, into: &buffer)
                baselineIndex += 1
            } else if baselineIndex == baseline.endIndex || target[targetIndex].id < baseline[baselineIndex].id {
                appendEntryHeader(.full, id: target[targetIndex].id, nextID: &nextID, into: &buffer)
                appendFull(target[targetIndex], schema: schema, into: &buffer)
                targetIndex += 1
            } else {
                appendChange(
                    from: baseline[baselineIndex],
                    to: target[targetIndex],
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

    /// Appends the kind and every field of `entity`.
    private static func appendFull(_ entity: Entity, schema: EntitySchema, into buffer: inout [UInt8]) {
        precondition(
            schema.fieldCount(of: entity.kind) == entity.fields.count,
            "entity \(entity.id) does not match its kind \(entity.kind) in the schema"
        )
        buffer.append(entity.kind)
        for value in entity.fields {
            buffer.appendZigZag(value)
        }
    }

    /// Appends a changed entry for the fields of `target` that differ from the prediction of `baseline`,
    /// a full entry if the kind changed, and nothing if the prediction is exact.
    private static func appendChange(
        from baseline: Entity,
        to target: Entity,
        prediction: SnapshotPrediction,
        nextID: inout UInt64,
        into buffer: inout [UInt8]
    ) {
        guard baseline.kind == target.kind else {
            appendEntryHeader(.full, id: target.id, nextID: &nextID, into: &buffer)
            appendFull(target, schema: prediction.schema, into: &buffer)
            return
        }
        let kind = Int(target.kind)
        precondition(
            prediction.schema.fieldCount(of: target.kind) == target.fields.count
                && baseline.fields.count == target.fields.count,
            "entity \(target.id) does not match its kind \(target.kind) in the schema"
        )
        var mask: UInt64 = 0
        for index in target.fields.indices
        where target.fields[index] != prediction.value(index, of: baseline.fields, kind: kind) {
            mask |= 1 << UInt64(index)
        }
        guard mask != 0 else { return }
        appendEntryHeader(.changed, id: target.id, nextID: &nextID, into: &buffer)
        buffer.appendVarint(mask)
        for index in target.fields.indices where mask & (1 << UInt64(index)) != 0 {
            buffer.appendZigZag(target.fields[index] &- prediction.value(index, of: baseline.fields, kind: kind))
        }
    }
}
