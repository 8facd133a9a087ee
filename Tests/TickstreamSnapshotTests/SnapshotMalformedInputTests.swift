import Testing
import TickstreamRules
import TickstreamSnapshot

@Suite struct SnapshotMalformedInputTests {
    static let schema = EntitySchema(kinds: [
        EntityKind(
            name: "mover",
            fields: [
                EntityField("x", velocityField: 2), EntityField("y", velocityField: 3),
                EntityField("vx"), EntityField("vy"), EntityField("score"),
            ]),
        EntityKind(name: "pickup", fields: [EntityField("x"), EntityField("y"), EntityField("value")]),
    ])

    static let baseline = EntityTable([
        Entity(id: 1, kind: 0, fields: [100, 200, 10, -10, 0]),
        Entity(id: 2, kind: 0, fields: [.max, .min, .max, .min, 5]),
        Entity(id: 7, kind: 1, fields: [30, 40, 5]),
        Entity(id: 900, kind: 1, fields: [-30, -40, 1]),
    ])

    static func decode(_ payload: [UInt8]) throws(SnapshotDecodingError) -> EntityTable {
        try SnapshotCodec.decode(payload, baseline: baseline, baselineTick: 10, tick: 12, schema: schema)
    }

    /// Whether `table` is a state the schema allows: ids increasing, known kinds, right field counts.
    static func isWellFormed(_ table: EntityTable) -> Bool {
        guard table.count <= SnapshotCodec.maximumEntityCount else { return false }
        for index in table.indices {
            if index > 0, table[index - 1].id >= table[index].id { return false }
            if schema.fieldCount(of: table[index].kind) != table[index].fields.count { return false }
        }
        return true
    }

    static func validPayloads() -> [[UInt8]] {
        var target = baseline
        target.remove(7)
        target.update(1) { $0.fields = [130, 160, 15, -20, 1] }
        target.upsert(Entity(id: 5, kind: 1, fields: [1, 2, 3]))
        target.upsert(Entity(id: .max, kind: 0, fields: [.min, 1, 2, 3, 4]))
        return [
            SnapshotCodec.encodeKeyframe(target, schema: schema),
            SnapshotCodec.encodeDelta(from: baseline, baselineTick: 10, to: target, tick: 12, schema: schema),
        ]
    }

    @Test func everyPrefixDecodesOrThrows() throws {
        let payloads = Self.validPayloads()
        for payload in payloads {
            for length in 0..<payload.count {
                do {
                    #expect(Self.isWellFormed(try Self.decode(Array(payload[..<length]))))
                } catch {
                    continue
                }
            }
        }
        // A keyframe states its count, so every proper prefix of one fails.
        let keyframe = payloads[0]
        for length in 0..<keyframe.count {
            #expect(throws: SnapshotDecodingError.self) { try Self.decode(Array(keyframe[..<length])) }
        }
    }

    @Test func randomAndMutatedBytesNeverCrash() {
        var random = DeterministicRandom(seed: 0x5EED)
        let payloads = Self.validPayloads()
        var decodedCount = 0
        var failedCount = 0
        for round in 0..<100_000 {
            var bytes: [UInt8]
            if round.isMultiple(of: 2) {
                // Random bytes behind a valid header, so that decoding gets past the first byte.
                bytes = [round.isMultiple(of: 4) ? 0x10 : 0x11]
                for _ in 0..<Int.random(in: 0...48, using: &random) {
                    bytes.append(UInt8.random(in: 0...255, using: &random))
                }
            } else {
                bytes = payloads[round / 2 % payloads.count]
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    let position = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0...3, using: &random) {
                    case 0: bytes[position] ^= 1 << UInt8.random(in: 0...7, using: &random)
                    case 1: bytes[position] = UInt8.random(in: 0...255, using: &random)
                    case 2: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
                    default: bytes.remove(at: position)
                    }
                    if bytes.isEmpty { break }
                }
            }
            do {
                let table = try Self.decode(bytes)
                decodedCount += 1
                if !Self.isWellFormed(table) {
                    Issue.record("ill-formed table from \(bytes)")
                }
            } catch {
                failedCount += 1
            }
        }
        // Both outcomes occur, or the inputs exercised too little.
        #expect(decodedCount > 1000)
        #expect(failedCount > 1000)
    }

    @Test func hugeCountsFailFast() {
        // 10^9 entities claimed by a 6-byte keyframe.
        var payload: [UInt8] = [0x10]
        payload.append(contentsOf: [0x80, 0x94, 0xEB, 0xDC, 0x03])
        #expect(throws: SnapshotDecodingError.entityCountOverLimit) { try Self.decode(payload) }
        // Within the limit, but more than the payload holds.
        #expect(throws: SnapshotDecodingError.truncated) { try Self.decode([0x10, 0x80, 0x80, 0x04]) }
    }

    @Test func eachErrorIsReportedWithItsOffset() {
        let cases: [([UInt8], SnapshotDecodingError, Int)] = [
            ([], .truncated, 0),
            ([0x20], .unsupportedFormat, 0),
            ([0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02], .malformedVarint, 1),
            ([0x10, 0x01, 0x00, 0x02], .unknownKind, 3),
            ([0x10, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10, 0x01, 0x02, 0x02, 0x02], .idOutOfRange, 2),
            ([0x10, 0x00, 0x00], .trailingBytes, 2),
            ([0x10, 0x01, 0x00, 0x01, 0x02], .truncated, 4),
            ([0x11, 0x03], .invalidEntryType, 1),
            ([0x11, 0x04 << 2 | 2], .unknownBaselineEntity, 1),
            ([0x11, 0x04 << 2 | 0, 0x01, 0x02], .unknownBaselineEntity, 1),
            ([0x11, 0x01 << 2 | 0, 0x20, 0x02], .fieldMaskOutOfRange, 2),
        ]
        for (payload, expected, offset) in cases {
            do {
                _ = try Self.decode(payload)
                Issue.record("\(payload) decoded; expected \(expected)")
            } catch {
                #expect(error == expected, "\(payload)")
                #expect(error.offset == offset, "\(payload): \(error)")
                #expect(error.description.hasSuffix("at byte \(offset)"))
            }
        }
    }

    @Test func deltaWithoutBaselineThrows() {
        let payload = SnapshotCodec.encodeDelta(
            from: EntityTable(), baselineTick: 0, to: Self.baseline, tick: 1, schema: Self.schema)
        #expect(throws: SnapshotDecodingError.missingBaseline) {
            try SnapshotCodec.decode(payload, baseline: nil, baselineTick: nil, tick: 1, schema: Self.schema)
        }
    }

    @Test func baselineOffSchemaThrows() {
        let stray = EntityTable([Entity(id: 1, kind: 9, fields: [])])
        #expect(throws: SnapshotDecodingError.invalidBaseline) {
            try SnapshotCodec.decode([0x11], baseline: stray, baselineTick: 0, tick: 1, schema: Self.schema)
        }
    }
}
