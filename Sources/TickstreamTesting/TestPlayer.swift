public import TickstreamKafka
public import TickstreamProtocol
import SwiftProtobuf

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Produces a player's input records as a gateway would, and counts what Kafka acknowledged.
public struct TestPlayer: Sendable {
    public let id: String
    public let room: String
    public let topics: TopicLayout
    public private(set) var lastSequence: UInt64 = 0
    /// The sequence number of the last input Kafka acknowledged.
    public private(set) var lastAcknowledged: UInt64 = 0

    public init(id: String, room: String, topics: TopicLayout) {
        self.id = id
        self.room = room
        self.topics = topics
    }

    public func join(with producer: KafkaProducer) async throws {
        _ = try await producer.send(record { $0.join = InputRecord.Join() })
    }

    public func leave(with producer: KafkaProducer) async throws {
        _ = try await producer.send(record { $0.leave = InputRecord.Leave() })
    }

    /// Sends the next input; it counts as acknowledged only if Kafka says so.
    public mutating func sendInput(_ payload: [UInt8], with producer: KafkaProducer) async throws {
        lastSequence += 1
        let sequence = lastSequence
        _ = try await producer.send(record { $0.input = .with { $0.sequence = sequence; $0.payload = Data(payload) } })
        lastAcknowledged = sequence
    }

    private func record(_ action: (inout InputRecord) -> Void) -> ProducerRecord {
        var input = InputRecord()
        input.room = room
        input.player = id
        input.gateway = "test"
        action(&input)
        return ProducerRecord(topic: topics.inputs, key: Array(room.utf8), value: try! input.serializedBytes())
    }
}
