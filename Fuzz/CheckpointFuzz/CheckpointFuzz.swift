import SwiftProtobuf
import TickstreamArena
import TickstreamProtocol
import TickstreamRules
import TickstreamSimulation

// The worker's checkpoint decoder (Checkpoint → RoomEngine), built and run by `tools/fuzz checkpoint`.

let rules = ArenaRules()

/// Decodes the input as a `Checkpoint` and restores the room from it, as a worker taking over a partition does.
/// A restored room must hash to the checkpoint's hash; anything else must throw, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func checkpointFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard var checkpoint = try? Checkpoint(serializedBytes: bytes) else { return 0 }
    // Most random checkpoints fail the rules check first; name the arena so that the state itself is exercised.
    if checkpoint.rulesName.isEmpty {
        checkpoint.rulesName = rules.name
        checkpoint.rulesVersion = rules.version
    }
    do {
        let engine = try checkpoint.restore(rules: rules, idleTimeoutTicks: 300)
        precondition(engine.state.stateHash == checkpoint.stateHash, "restored state hash")
    } catch {
        precondition(!error.description.isEmpty, "a refused checkpoint says why")
    }
    return 0
}
