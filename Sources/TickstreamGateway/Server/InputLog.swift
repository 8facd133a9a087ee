import CoreMetrics
import Foundation
import SwiftProtobuf
import TickstreamKafka
import TickstreamProtocol
import TickstreamRules

/// Writes what players do to `<prefix>.inputs`, keyed by room, and waits for Kafka's acknowledgement.
///
/// Measures each produce (the log's share of input latency) and counts the leaves it logged.
struct InputLog: Sendable {
    let producer: KafkaProducer
    let topic: String
    let gatewayID: String
    let metrics: GatewayMetrics

    /// Appends `action` of `player` in `room`; returns once the cluster has stored it.
    ///
    /// - Throws: the producer's error when the cluster did not acknowledge the record in time.
    @discardableResult
    func append(_ action: InputRecord.OneOf_Action, room: String, player: PlayerID) async throws -> DeliveryReport {
        var record = InputRecord()
        record.room = room
        record.player = player
        record.gateway = gatewayID
        record.receivedAtMs = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        record.action = action
        let value: [UInt8] = try record.serializedBytes()
        let start = ContinuousClock.now
        let report = try await producer.send(ProducerRecord(topic: topic, key: Array(room.utf8), value: value))
        let latency = ContinuousClock.now - start
        switch action {
        case .input:
            metrics.inputProduceLatency.record(duration: latency)
        case .leave(let leave):
            metrics.controlProduceLatency.record(duration: latency)
            (leave.dropped ? metrics.drops : metrics.leaves).increment()
        case .join, .relay:
            metrics.controlProduceLatency.record(duration: latency)
        }
        return report
    }
}
