public import TickstreamRules

/// Encodes room states as keyframes or as deltas against a client's acknowledged baseline, and decodes them.
///
/// The codec knows a game only through its `EntitySchema`. Ticks travel outside the payload (in the
/// protobuf `Snapshot` message), which is why the delta functions take them.
///
/// Wire format, version 1. Varints are unsigned LEB128; values are zig-zag varints.
/// - Header: one byte, `version << 4 | type`, type 0 for a keyframe and 1 for a delta.
/// - Keyframe: the entity count, then per entity in increasing id order: the id gap (the id minus the
///   previous id plus one, or the id itself for the first), the kind byte, and every field's value.
/// - Delta: entries in increasing id order up to the end of the payload, each starting with
///   `idGap << 2 | entryType`:
///   - changed (0): the entity is in the baseline with the same kind; a varint mask of the fields
///     whose value differs from the prediction, then per set bit `value - prediction`.
///   - full (1): the entity is new, or its kind changed: the kind byte and every field's value.
///   - removed (2): the entity is gone.
///
/// Every baseline entity without an entry, and every unmasked field, takes its predicted value:
/// a field with a `velocityField` is predicted as `value + velocity × (tick - baselineTick)` in
/// wrapping arithmetic, any other field as its baseline value. A steadily moving entity therefore
/// costs no bytes at all.
public enum SnapshotCodec {
    /// The format version written in the header; the decoder refuses any other.
    public static let formatVersion: UInt8 = 1
    /// The most entities a decoded state may hold; larger claims are refused before any allocation.
    public static let maximumEntityCount = 65_536

    /// Encodes the whole of `table`.
    ///
    /// - Precondition: every entity's kind is declared by `schema` and it carries that kind's field count.
    public static func encodeKeyframe(_ table: EntityTable, schema: EntitySchema) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(2 + table.count * 16)
        encodeKeyframe(table, schema: schema, into: &buffer)
        return buffer
    }

    /// Encodes `target` as its difference from `baseline`, predicting moving fields over the elapsed ticks.
    ///
    /// - Precondition: every entity's kind is declared by `schema` and it carries that kind's field count.
    public static func encodeDelta(
        from baseline: EntityTable,
        baselineTick: UInt64,
        to target: EntityTable,
        tick: UInt64,
        schema: EntitySchema
    ) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 + target.count * 4)
        encodeDelta(from: baseline, baselineTick: baselineTick, to: target, tick: tick, schema: schema, into: &buffer)
        return buffer
    }

    /// Decodes a keyframe, or a delta against `baseline` taken at `baselineTick`.
    ///
    /// Decoding allocates no more than the payload's size justifies and refuses states over
    /// `maximumEntityCount` entities.
    /// - Parameters:
    ///   - payload: The bytes from `encodeKeyframe` or `encodeDelta`.
    ///   - baseline: The state the delta was encoded against; nil when a keyframe is expected.
    ///   - baselineTick: The tick of `baseline`.
    ///   - tick: The tick of the encoded state.
    ///   - schema: The schema the payload was encoded with.
    /// - Throws: `SnapshotDecodingError` with the offset of the offending byte.
    public static func decode(
        _ payload: [UInt8],
        baseline: EntityTable?,
        baselineTick: UInt64?,
        tick: UInt64,
        schema: EntitySchema
    ) throws(SnapshotDecodingError) -> EntityTable {
        var reader = SnapshotReader(payload)
        let header = try reader.readByte()
        switch header {
        case Self.keyframeHeader:
            return try decodeKeyframe(&reader, schema: schema)
        case Self.deltaHeader:
            guard let baseline, let baselineTick else { throw .missingBaseline.at(0) }
            let prediction = SnapshotPrediction(schema: schema, elapsedTicks: tick &- baselineTick)
            return try decodeDelta(&reader, baseline: baseline, prediction: prediction)
        default:
            throw .unsupportedFormat.at(0)
        }
    }

    static let keyframeHeader = formatVersion << 4
    static let deltaHeader = formatVersion << 4 | 1
}
