import CoreMetrics
import Foundation
import NIOCore
import NIOWebSocket
import TickstreamProtocol

/// The gateway's metrics, created once from whatever metrics backend the process bootstrapped.
///
/// Names start with `tickstream_gateway_`; `dashboards/tickstream.json` graphs them. A class, so that what holds
/// the metrics (every connection, among others) holds one reference rather than two dozen.
final class GatewayMetrics: Sendable {
    let connections = Meter(label: "tickstream_gateway_connections")
    let connectionsRefused = Counter(label: "tickstream_gateway_connections_refused_total")
    let joins = Counter(label: "tickstream_gateway_joins_total")
    let leaves = Counter(label: "tickstream_gateway_leaves_total", dimensions: [("reason", "left")])
    /// Players whose connection ended while they were in a room.
    let drops = Counter(label: "tickstream_gateway_leaves_total", dimensions: [("reason", "dropped")])
    let inputsReceived = Counter(label: "tickstream_gateway_inputs_received_total")
    let inputsProduced = Counter(label: "tickstream_gateway_inputs_produced_total")
    let relaysProduced = Counter(label: "tickstream_gateway_relays_produced_total")
    let malformedMessages = Counter(label: "tickstream_gateway_malformed_messages_total")
    /// From a player's input leaving the session to Kafka's acknowledgement: the log's share of input latency.
    let inputProduceLatency = Timer(label: "tickstream_gateway_produce_latency_seconds", dimensions: [("action", "input")])
    /// The same for joins, leaves and relays.
    let controlProduceLatency = Timer(label: "tickstream_gateway_produce_latency_seconds", dimensions: [("action", "control")])
    let framesSent = Counter(label: "tickstream_gateway_frames_sent_total")
    let bytesSent = Counter(label: "tickstream_gateway_bytes_sent_total")
    let snapshotsSent = Counter(label: "tickstream_gateway_snapshots_sent_total")
    let snapshotEncodings = Counter(label: "tickstream_gateway_snapshot_encodings_total")
    /// Undelivered snapshots replaced by a fresher one because their client fell behind.
    let snapshotsSkipped = Counter(label: "tickstream_gateway_snapshots_skipped_total")
    let outboxOverflows = Counter(label: "tickstream_gateway_outbox_overflows_total")
    /// Connections cut off because a write waited past the write timeout for the client to read.
    let stalledConnections = Counter(label: "tickstream_gateway_stalled_connections_total")
    /// Connections closed because the client sent nothing, not even a pong, for a heartbeat interval after a ping.
    let pingTimeouts = Counter(label: "tickstream_gateway_ping_timeouts_total")
    private let stateRecords = Counter(label: "tickstream_gateway_state_records_total")
    /// The age of each state record when the broadcaster reads it (now − the worker's create timestamp): the
    /// state consumer's lag in time. Across machines it includes their clock skew.
    private let stateRecordAge = Timer(label: "tickstream_gateway_state_record_age_seconds")
    /// Reads of the checkpoints topic for `/v1/rooms`, by outcome.
    let roomListReads = Counter(label: "tickstream_gateway_room_list_reads_total", dimensions: [("outcome", "ok")])
    let roomListFailures = Counter(label: "tickstream_gateway_room_list_reads_total", dimensions: [("outcome", "failed")])

    /// Counts a state record the broadcaster read and records its age; `createdAtMs` ≤ 0 means the record has no timestamp.
    func stateRecordRead(createdAtMs: Int64) {
        stateRecords.increment()
        guard createdAtMs > 0 else { return }
        let nowMs = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        stateRecordAge.recordMilliseconds(max(0, nowMs - createdAtMs))
    }

    /// Counts a batch frame written to a client, its bytes and its snapshot.
    func sent(_ frame: WebSocketFrame, carrying flush: Outbox.Flush) {
        framesSent.increment()
        bytesSent.increment(by: frame.data.readableBytes)
        if flush.snapshot != nil {
            snapshotsSent.increment()
        }
    }

    /// Counts an error sent to a client, by code; inputs refused before the log are among them.
    func errorSent(_ code: ErrorCode, forInput: Bool) {
        let reason = "\(code)"
        Counter(label: "tickstream_gateway_errors_sent_total", dimensions: [("code", reason)]).increment()
        if forInput {
            Counter(label: "tickstream_gateway_inputs_rejected_total", dimensions: [("reason", reason)]).increment()
        }
    }
}
