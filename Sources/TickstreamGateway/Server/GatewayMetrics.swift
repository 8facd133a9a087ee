import CoreMetrics
import TickstreamProtocol

/// The gateway's counters, created once from whatever metrics backend the process bootstrapped.
struct GatewayMetrics: Sendable {
    let connections = Meter(label: "tickstream_gateway_connections")
    let connectionsRefused = Counter(label: "tickstream_gateway_connections_refused_total")
    let joins = Counter(label: "tickstream_gateway_joins_total")
    let inputsReceived = Counter(label: "tickstream_gateway_inputs_received_total")
    let inputsProduced = Counter(label: "tickstream_gateway_inputs_produced_total")
    let relaysProduced = Counter(label: "tickstream_gateway_relays_produced_total")
    let malformedMessages = Counter(label: "tickstream_gateway_malformed_messages_total")
    let framesSent = Counter(label: "tickstream_gateway_frames_sent_total")
    let bytesSent = Counter(label: "tickstream_gateway_bytes_sent_total")
    let snapshotsSent = Counter(label: "tickstream_gateway_snapshots_sent_total")
    let snapshotEncodings = Counter(label: "tickstream_gateway_snapshot_encodings_total")
    /// Undelivered snapshots replaced by a fresher one because their client fell behind.
    let snapshotsSkipped = Counter(label: "tickstream_gateway_snapshots_skipped_total")
    let outboxOverflows = Counter(label: "tickstream_gateway_outbox_overflows_total")
    let stateRecords = Counter(label: "tickstream_gateway_state_records_total")

    /// Counts an error sent to a client, by code; inputs refused before the log are among them.
    func errorSent(_ code: ErrorCode, forInput: Bool) {
        let reason = "\(code)"
        Counter(label: "tickstream_gateway_errors_sent_total", dimensions: [("code", reason)]).increment()
        if forInput {
            Counter(label: "tickstream_gateway_inputs_rejected_total", dimensions: [("reason", reason)]).increment()
        }
    }
}
