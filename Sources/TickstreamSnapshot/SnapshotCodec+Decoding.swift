import TickstreamRules

extension SnapshotCodec {
    static func decodeKeyframe(
        _ reader: inout SnapshotReader,
        schema: EntitySchema
    ) throws(SnapshotDecodingError) -> EntityTable {
        let countOffset = reader.offset
        let count = try reader.readVarint()
        guard count <= maximumEntityCount else { throw .entityCountOverLimit.at(countOffset) }
        // Each entity takes at least two bytes (id gap and kind): refuse a count the payload cannot hold
        // before reserving room for it.
        guard count <= reader.remainingCount / 2 else { throw .truncated.at(countOffset) }
        var table = EntityTable()
        table.reserveCapacity(entities: Int(count), fields: reader.remainingCount)
        var nextID: UInt64 = 0
        for _ in 0..<count {
            let id = try readID(&reader, nextID: nextID)
            try readFull(&reader, id: id, schema: schema, into: &table)
            nextID = UInt64(id) + 1
        }
        guard reader.isAtEnd else { throw .trailingBytes.at(reader.offset) }
        return table
    }

    static func decodeDelta(
        _ reader: inout SnapshotReader,
        baseline: EntityTable,
        prediction: SnapshotPrediction
    ) throws(SnapshotDecodingError) -> EntityTable {
        var builder = DeltaTableBuilder(baseline: baseline, prediction: prediction)
        var nextID: UInt64 = 0
        while !reader.isAtEnd {
            let entryOffset = reader.offset
            let header = try reader.readVarint()
            let id = try entityID(nextID: nextID, gap: header >> 2, offset: entryOffset)
            nextID = UInt64(id) + 1
            let inBaseline = try builder.copyBaseline(before: id, offset: entryOffset)
            switch DeltaEntryType(rawValue: header & 0b11) {
            case .changed:
                guard let position = inBaseline else { throw .unknownBaselineEntity.at(entryOffset) }
                let appended = try builder.appendPredicted(position, offset: entryOffset)
                try readChange(&reader, at: appended, of: &builder.table)
            case .full:
                try builder.reserveEntity(offset: entryOffset)
                try readFull(&reader, id: id, schema: prediction.schema, into: &builder.table)
            case .removed:
                guard inBaseline != nil else { throw .unknownBaselineEntity.at(entryOffset) }
            case nil:
                throw .invalidEntryType.at(entryOffset)
            }
        }
        try builder.copyRemainingBaseline(offset: reader.offset)
        return builder.table
    }

    private static func readID(
        _ reader: inout SnapshotReader,
        nextID: UInt64
    ) throws(SnapshotDecodingError) -> EntityID {
        let offset = reader.offset
        return try entityID(nextID: nextID, gap: reader.readVarint(), offset: offset)
    }

    /// The id `gap` past `nextID`, the smallest id the next entity may have.
    private static func entityID(nextID: UInt64, gap: UInt64, offset: Int) throws(SnapshotDecodingError) -> EntityID {
        guard nextID <= UInt64(EntityID.max), gap <= UInt64(EntityID.max) - nextID else {
            throw .idOutOfRange.at(offset)
        }
        return EntityID(nextID + gap)
    }

    /// Reads a kind byte and every field of that kind, as entity `id` at the end of `table`.
    private static func readFull(
        _ reader: inout SnapshotReader,
        id: EntityID,
        schema: EntitySchema,
        into table: inout EntityTable
    ) throws(SnapshotDecodingError) {
        let kindOffset = reader.offset
        let kind = try reader.readByte()
        guard let fieldCount = schema.fieldCount(of: kind) else { throw .unknownKind.at(kindOffset) }
        guard fieldCount <= reader.remainingCount else { throw .truncated.at(reader.offset) }
        let position = table.append(id: id, kind: kind, fieldCount: fieldCount)
        for field in 0..<fieldCount {
            table[position, field: field] = try reader.readZigZag()
        }
    }

    /// Reads a field mask and adds the masked fields' differences to the entity at `position` in `table`, which
    /// holds its prediction.
    private static func readChange(
        _ reader: inout SnapshotReader,
        at position: Int,
        of table: inout EntityTable
    ) throws(SnapshotDecodingError) {
        let maskOffset = reader.offset
        let mask = try reader.readVarint()
        let fieldCount = table.fieldCount(at: position)
        guard fieldCount == 64 || mask >> UInt64(fieldCount) == 0 else { throw .fieldMaskOutOfRange.at(maskOffset) }
        for field in 0..<fieldCount where mask & (1 << UInt64(field)) != 0 {
            table[position, field: field] &+= try reader.readZigZag()
        }
    }
}
