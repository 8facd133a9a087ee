import NIOCore
import SwiftProtobuf
import TickstreamProtocol

/// A room's snapshot at one tick against one baseline, in one wire format: encoded once and shared by every client
/// with that baseline, who differ only in their last applied input.
///
/// On the JSON subprotocol the snapshot is also rendered once, so that a client's batch splices its own
/// `lastAppliedSequence` into the shared text instead of serializing every entity again (that serialization was a
/// fifth of the server's CPU with JSON clients, perf).
final class SharedSnapshot: Sendable {
    /// Everything but the last applied input.
    let snapshot: ServerMessage.Snapshot
    /// On the JSON subprotocol: the members of `snapshot`'s JSON object, without its braces.
    let jsonMembers: ByteBuffer?

    init(_ snapshot: ServerMessage.Snapshot, format: WireFormat) throws {
        precondition(snapshot.lastAppliedSequence == 0, "the last applied input is the client's own")
        self.snapshot = snapshot
        if format.isJSON {
            let object: ProtobufBuffer = try snapshot.jsonUTF8Bytes()
            jsonMembers = object.buffer.getSlice(at: object.buffer.readerIndex + 1, length: object.count - 2)
        } else {
            jsonMembers = nil
        }
    }
}

/// One client's snapshot: the shared encoding and the client's last applied input.
struct ClientSnapshot: Equatable, Sendable {
    let shared: SharedSnapshot
    let lastAppliedSequence: UInt64

    /// The snapshot as a message of its own.
    var message: ServerMessage {
        var snapshot = shared.snapshot
        snapshot.lastAppliedSequence = lastAppliedSequence
        var message = ServerMessage()
        message.message = .snapshot(snapshot)
        return message
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.shared.snapshot == rhs.shared.snapshot && lhs.lastAppliedSequence == rhs.lastAppliedSequence
    }
}
