import SwiftProtobuf
import TickstreamProtocol

// The binary subprotocol's decoder (`tickstream.v1.proto`), built and run by `tools/fuzz client-binary`.

/// Decodes the input as a `ClientMessage`, as the gateway does with a binary WebSocket message. What decodes must
/// encode and decode again to the same message; anything else must throw, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func clientBinaryFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let message = try? ClientMessage(serializedBytes: bytes) else { return 0 }
    let encoded: [UInt8] = try! message.serializedBytes()
    precondition((try? ClientMessage(serializedBytes: encoded)) == message, "binary round trip")
    return 0
}
