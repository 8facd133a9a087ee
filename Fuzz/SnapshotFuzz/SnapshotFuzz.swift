import TickstreamRules
import TickstreamSnapshot

// The snapshot decoder's libFuzzer target, built and run by tools/fuzz-snapshot (not by `swift build`).

/// The arena's shape, plus a kind with all 64 fields (the mask's last bit) that predict one another.
let schema = EntitySchema(kinds: [
    EntityKind(
        name: "player",
        fields: [
            EntityField("x", velocityField: 2), EntityField("y", velocityField: 3),
            EntityField("vx"), EntityField("vy"), EntityField("heading"), EntityField("score"),
            EntityField("lastInput"),
        ]),
    EntityKind(name: "pickup", fields: [EntityField("x"), EntityField("y"), EntityField("value")]),
    EntityKind(name: "wide", fields: (0..<64).map { EntityField("f\($0)", velocityField: 63 - $0) }),
])

let baseline = EntityTable([
    Entity(id: 1, kind: 0, fields: [100, 200, 1000, -1000, 3, 0, 7]),
    Entity(id: 2, kind: 0, fields: [.max, .min, .max, .min, 1, 5, 9]),
    Entity(id: 9, kind: 1, fields: [30, 40, 5]),
    Entity(id: 300, kind: 2, fields: (0..<64).map { Int64($0) * 1_000_003 }),
    Entity(id: .max, kind: 1, fields: [-30, -40, 1]),
])

/// Decodes the input as a snapshot against `baseline`. Whatever decodes must be a well-formed state
/// that survives a keyframe and a delta round trip; anything else must throw, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func snapshotFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let payload = Array(UnsafeBufferPointer(start: data, count: size))
    guard
        let decoded = try? SnapshotCodec.decode(payload, baseline: baseline, baselineTick: 10, tick: 12, schema: schema)
    else {
        return 0
    }
    precondition(decoded.count <= SnapshotCodec.maximumEntityCount, "too many entities")
    for index in decoded.indices {
        precondition(index == 0 || decoded[index - 1].id < decoded[index].id, "ids out of order")
        precondition(schema.fieldCount(of: decoded[index].kind) == decoded[index].fields.count, "field count")
    }
    let keyframe = SnapshotCodec.encodeKeyframe(decoded, schema: schema)
    let fromKeyframe = try? SnapshotCodec.decode(keyframe, baseline: nil, baselineTick: nil, tick: 12, schema: schema)
    precondition(fromKeyframe == decoded, "keyframe round trip")
    let delta = SnapshotCodec.encodeDelta(from: baseline, baselineTick: 10, to: decoded, tick: 12, schema: schema)
    let fromDelta = try? SnapshotCodec.decode(delta, baseline: baseline, baselineTick: 10, tick: 12, schema: schema)
    precondition(fromDelta == decoded, "delta round trip")
    return 0
}
