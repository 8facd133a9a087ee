/// A subprotocol of `/v1/ws`: how client and server messages travel.
public struct WireFormat: Sendable, Hashable, CustomStringConvertible {
    private enum Encoding: Hashable {
        case protobuf
        case json
    }

    private let encoding: Encoding
    /// The `Sec-WebSocket-Protocol` name.
    public let name: String

    private init(_ encoding: Encoding, name: String) {
        self.encoding = encoding
        self.name = name
    }

    /// `tickstream.v1.proto`: binary protobuf messages; snapshots carry the snapshot codec's bytes.
    public static var protobuf: Self { .init(.protobuf, name: "tickstream.v1.proto") }
    /// `tickstream.v1.json`: protobuf's JSON mapping in text messages; snapshots carry the entities by name.
    public static var json: Self { .init(.json, name: "tickstream.v1.json") }

    var isJSON: Bool { encoding == .json }

    public var description: String { name }
}
