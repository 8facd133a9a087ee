public import TickstreamRules

extension SnapshotDelta {
    /// The target state: `baseline` with this delta's removals, additions and changes applied.
    ///
    /// - Throws: `SnapshotDecodingError` (without an offset) when the delta does not fit `baseline` or
    ///   `schema`: unsorted lists, unknown or duplicate ids, unknown kinds, wrong field counts.
    public func applied(to baseline: EntityTable, schema: EntitySchema) throws(SnapshotDecodingError) -> EntityTable {
        try checkOrder()
        var entities: [Entity] = []
        entities.reserveCapacity(baseline.count + added.count)
        var addedIndex = 0
        var changedIndex = 0
        var removedIndex = 0
        for var entity in baseline {
            while addedIndex < added.count, added[addedIndex].id < entity.id {
                entities.append(try checked(added[addedIndex], schema: schema))
                addedIndex += 1
            }
            let isReplaced = addedIndex < added.count && added[addedIndex].id == entity.id
            if removedIndex < removed.count, removed[removedIndex] <= entity.id {
                guard removed[removedIndex] == entity.id else { throw .unknownBaselineEntity }
                removedIndex += 1
                if isReplaced {
                    entities.append(try checked(added[addedIndex], schema: schema))
                    addedIndex += 1
                }
                continue
            }
            guard !isReplaced else { throw .duplicateEntity }
            if changedIndex < changed.count, changed[changedIndex].id <= entity.id {
                try apply(changed[changedIndex], to: &entity)
                changedIndex += 1
            }
            entities.append(entity)
        }
        guard removedIndex == removed.count, changedIndex == changed.count else { throw .unknownBaselineEntity }
        for entity in added[addedIndex...] {
            entities.append(try checked(entity, schema: schema))
        }
        guard entities.count <= SnapshotCodec.maximumEntityCount else { throw .entityCountOverLimit }
        return EntityTable(sortedUnchecked: entities)
    }

    private func checkOrder() throws(SnapshotDecodingError) {
        for index in added.indices.dropFirst() where added[index - 1].id >= added[index].id {
            throw .idOrderViolated
        }
        for index in changed.indices.dropFirst() where changed[index - 1].id >= changed[index].id {
            throw .idOrderViolated
        }
        for index in removed.indices.dropFirst() where removed[index - 1] >= removed[index] {
            throw .idOrderViolated
        }
    }

    private func checked(_ entity: Entity, schema: EntitySchema) throws(SnapshotDecodingError) -> Entity {
        guard let fieldCount = schema.fieldCount(of: entity.kind) else { throw .unknownKind }
        guard entity.fields.count == fieldCount else { throw .fieldCountMismatch }
        return entity
    }

    /// Applies `change` to `entity`, which must have the change's id and kind.
    private func apply(_ change: ChangedEntity, to entity: inout Entity) throws(SnapshotDecodingError) {
        guard change.id == entity.id else { throw .unknownBaselineEntity }
        guard change.kind == entity.kind else { throw .unknownKind }
        let fieldCount = entity.fields.count
        guard fieldCount == 64 || change.changedFields >> UInt64(fieldCount) == 0 else { throw .fieldMaskOutOfRange }
        guard change.values.count == change.changedFields.nonzeroBitCount else { throw .fieldCountMismatch }
        var valueIndex = 0
        for index in 0..<fieldCount where change.changedFields & (1 << UInt64(index)) != 0 {
            entity.fields[index] = change.values[valueIndex]
            valueIndex += 1
        }
    }
}
