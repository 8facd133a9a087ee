import CoreMetrics
import Foundation
import SwiftProtobuf
import TickstreamKafka
import TickstreamProtocol
import TickstreamRules

/// Writes what players do to `<prefix>.inputs`, keyed by room, and waits for Kafka's acknowledgement: in a task, or
/// with a callback for a caller on an event loop.
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
        let record = try record(of: action, room: room, player: player)
        let start = ContinuousClock.now
        let report = try await producer.send(record)
        measure(action, latency: ContinuousClock.now - start)
        return report
    }

    /// Appends `action` of `player` in `room`; calls `onDelivery`, on the producer's poll thread, once the cluster
    /// has stored it or did not in time.
    ///
    /// - Throws: the producer's error when the record cannot be enqueued (`onDelivery` is then not called).
    func append(
        _ action: InputRecord.OneOf_Action,
        room: String,
        player: PlayerID,
        onDelivery: @escaping @Sendable (Result<DeliveryReport, any Error>) -> Void
    ) throws {
        let record = try record(of: action, room: room, player: player)
        let start = ContinuousClock.now
        try producer.send(record) { [self] result in
            if case .success = result {
                measure(action, latency: ContinuousClock.now - start)
            }
            onDelivery(result)
        }
    }

    /// Synchronous and out of line, like the measuring below, so that the record's temporaries live on the thread's
    /// stack and not in the async frame of every connection's reader.
    @inline(never)
    private func record(of action: InputRecord.OneOf_Action, room: String, player: PlayerID) throws -> ProducerRecord {
        var record = InputRecord()
        record.room = room
        record.player = player
        record.gateway = gatewayID
        record.receivedAtMs = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        record.action = action
        return ProducerRecord(topic: topic, key: Array(room.utf8), value: try record.serializedBytes())
    }

    @inline(never)
    private func measure(_ action: InputRecord.OneOf_Action, latency: Duration) {
        switch action {
        case .input:
            metrics.inputProduceLatency.record(duration: latency)
        case .leave(let leave):
            metrics.controlProduceLatency.record(duration: latency)
            (leave.dropped ? metrics.drops : metrics.leaves).increment()
        case .join, .relay:
            metrics.controlProduceLatency.record(duration: latency)
        }
    }
}
