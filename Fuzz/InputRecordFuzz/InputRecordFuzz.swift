import SwiftProtobuf
import TickstreamArena
import TickstreamProtocol
import TickstreamSimulation

// The worker's input record decoder (InputRecord → RoomCommand), built and run by `tools/fuzz input-record`.

let rules = ArenaRules()

/// Decodes the input as an `InputRecord` and turns it into a room command, as the worker does with each record of
/// `<prefix>.inputs`; a command is then checked against the game as the engine would. Anything undecodable must
/// throw (the worker sends it to the dead letters with the reason), never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func inputRecordFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let record = try? InputRecord(serializedBytes: bytes) else { return 0 }
    do {
        let command = try RoomCommand(record)
        precondition(command.player == record.player, "the command is the record's player's")
        if case .input(_, _, let payload) = command {
            _ = rules.rejectionReason(forInput: payload)
        }
    } catch {
        precondition(!error.description.isEmpty, "a dead letter says why")
    }
    return 0
}
