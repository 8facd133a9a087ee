import SwiftProtobuf
import TickstreamProtocol

// The JSON subprotocol's decoder (`tickstream.v1.json`), built and run by `tools/fuzz client-json`.

/// The gateway's options: fields of a newer schema are ignored.
let options: JSONDecodingOptions = {
    var options = JSONDecodingOptions()
    options.ignoreUnknownFields = true
    return options
}()

/// Decodes the input as UTF-8 JSON of a `ClientMessage`, as the gateway does with a text WebSocket message. What
/// decodes must survive a JSON round trip; anything else must throw, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func clientJSONFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // A WebSocket text message is valid UTF-8 (NIO closes the connection otherwise).
    guard let text = String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self) else { return 0 }
    guard let message = try? ClientMessage(jsonString: text, options: options) else { return 0 }
    let json = try! message.jsonString()
    precondition((try? ClientMessage(jsonString: json)) == message, "JSON round trip")
    return 0
}
