import SwiftProtobuf
import TickstreamArena
import TickstreamProtocol
import TickstreamRules

// The gateway's state record decoder (StateRecord → the room's history of entity tables), built and run by
// `tools/fuzz state-record` together with the gateway's RoomHistory.swift.

let schema = ArenaSchema.schema

/// Decodes the input as a `StateRecord` and applies it to a room history holding one keyframe, as the broadcaster
/// does. Whatever state results must be a well-formed table of the game's schema; nothing may trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func stateRecordFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let record = try? StateRecord(serializedBytes: bytes) else { return 0 }
    var history = RoomHistory(capacity: 4)
    var keyframe = StateRecord()
    keyframe.room = record.room
    keyframe.tick = 1
    _ = history.apply(keyframe, schema: schema)
    if case .state(let table) = history.apply(record, schema: schema) {
        for entity in table {
            precondition(schema.fieldCount(of: entity.kind) == entity.fields.count, "field count")
        }
    }
    return 0
}
