import Foundation
import SwiftProtobuf
import TickstreamArena
package import TickstreamProtocol
package import TickstreamRules
import TickstreamSnapshot

/// One synthetic player's side of the protocol: what it sends, how it applies what it receives, and what it
/// measures.
///
/// Pure: no I/O and no clock; its owner passes the time and sends the returned messages. One session lives across
/// reconnections, so that a resumed connection can name the last acknowledged tick and keep its baselines.
package struct BotSession: Sendable {
    package struct Configuration: Sendable {
        /// The room to join.
        package var room: String
        /// Whether snapshots come as JSON entities (`tickstream.v1.json`) rather than codec bytes.
        package var isJSON: Bool
        /// False for a spectator: it joins and reads but never sends inputs.
        package var sendsInputs: Bool
        /// Whether a reconnection resumes from the last acknowledged tick (else it joins afresh).
        package var resumes: Bool
        /// Latencies of inputs sent, and bytes received, inside the window are measured.
        package var window: MeasurementWindow
        package var schema: EntitySchema
        /// Seeds the held-direction pattern.
        package var seed: UInt64
        /// How many inputs a heading is held for.
        package var holdRange: ClosedRange<Int64>

        package init(
            room: String,
            isJSON: Bool = false,
            sendsInputs: Bool = true,
            resumes: Bool = true,
            window: MeasurementWindow,
            schema: EntitySchema = ArenaSchema.schema,
            seed: UInt64 = 1,
            holdRange: ClosedRange<Int64> = 15...60
        ) {
            self.room = room
            self.isJSON = isJSON
            self.sendsInputs = sendsInputs
            self.resumes = resumes
            self.window = window
            self.schema = schema
            self.seed = seed
            self.holdRange = holdRange
        }
    }

    package enum Phase: Sendable, Equatable {
        /// No connection.
        case disconnected
        /// Connected, join sent, no welcome yet.
        case joining
        /// Welcomed: inputs flow.
        case playing
    }

    /// How long a join may go unanswered before it counts as an error: a server that accepts connections but never
    /// lets the players in must not pass a benchmark with no latencies and no errors.
    package static let joinTimeout: Duration = .seconds(10)

    package let configuration: Configuration
    package private(set) var phase: Phase = .disconnected
    /// The newest tick applied and acknowledged; 0 before the first snapshot.
    package private(set) var acknowledgedTick: UInt64 = 0
    /// The newest tick the server was told of on this connection (by an ack, an input or the resume).
    private var lastAckSent: UInt64 = 0
    /// A bot whose inputs carry its acks sends one on its own once the server's baseline is this many ticks old.
    private static let acknowledgementLag: UInt64 = 3
    /// The last input sequence sent on this connection.
    package private(set) var sequence: UInt64 = 0
    private var pending = InputLatencyTracker()
    /// Up to as many ticks as the gateway keeps by default, so that a late ack never leaves the bot without the
    /// baseline; those older than the latest delta's baseline are dropped.
    private var baselines = SnapshotBaselines(capacity: 32)
    private var direction: HeldDirection
    private var connectedAt: ContinuousClock.Instant?
    /// When the current connection sent its join, until the welcome.
    private var joiningSince: ContinuousClock.Instant?
    /// Set on a resumed connection until its first snapshot shows how the server resumed.
    private var awaitingResume = false
    private var measurements = BotMeasurements()
    /// `pending.untracked` at the last hand-over.
    private var reportedUntracked = 0

    package init(configuration: Configuration) {
        self.configuration = configuration
        self.direction = HeldDirection(seed: configuration.seed, holdRange: configuration.holdRange)
    }

    /// The connection opened at `now`: returns the join to send (a resume if there is a tick to resume from).
    package mutating func connected(at now: ContinuousClock.Instant) -> ClientMessage {
        phase = .joining
        sequence = 0
        connectedAt = now
        joiningSince = now
        measurements.counters.connects += 1
        var join = ClientMessage.Join()
        join.room = configuration.room
        if configuration.resumes, acknowledgedTick != 0 {
            join.lastAcknowledgedTick = acknowledgedTick
            awaitingResume = true
            measurements.counters.resumes += 1
        } else {
            acknowledgedTick = 0
            baselines.removeAll()
        }
        lastAckSent = acknowledgedTick
        var message = ClientMessage()
        message.message = .join(join)
        return message
    }

    /// A connection attempt failed.
    package mutating func connectFailed() {
        measurements.counters.connectFailures += 1
    }

    /// The next input to send at `now`, or nil while not yet welcomed (or for a spectator).
    package mutating func nextInput(at now: ContinuousClock.Instant) -> ClientMessage? {
        guard phase == .playing, configuration.sendsInputs else { return nil }
        sequence += 1
        pending.sent(sequence, at: now)
        measurements.counters.inputsSent += 1
        var input = ClientMessage.Input()
        input.sequence = sequence
        input.payload = Data(ArenaInput(heading: direction.next()).payload)
        if acknowledgedTick > lastAckSent {
            input.ackTick = acknowledgedTick
            lastAckSent = acknowledgedTick
            measurements.counters.acksSent += 1
        }
        var message = ClientMessage()
        message.message = .input(input)
        return message
    }

    /// An input was due but its loop ran too late to send it: counted, not sent.
    package mutating func skipInput() {
        guard phase == .playing, configuration.sendsInputs else { return }
        measurements.counters.inputsSkipped += 1
    }

    /// A message of `size` bytes that did not decode as a `ServerBatch`.
    package mutating func receivedUndecodable(size: Int, at now: ContinuousClock.Instant) {
        countFrame(size: size, at: now)
        measurements.counters.decodeFailures += 1
    }

    /// A `ServerBatch` of `size` bytes arrived at `now`: applies it; returns the ack to send, if a new tick applied.
    package mutating func received(_ batch: ServerBatch, size: Int, at now: ContinuousClock.Instant) -> ClientMessage? {
        countFrame(size: size, at: now)
        var newestTick: UInt64?
        for message in batch.messages {
            switch message.message {
            case .welcome:
                if phase == .joining {
                    phase = .playing
                    joiningSince = nil
                    measurements.counters.welcomes += 1
                }
            case .snapshot(let snapshot):
                if apply(snapshot, at: now) {
                    newestTick = max(newestTick ?? 0, snapshot.tick)
                }
            case .error(let error):
                measurements.counters.errors[error.code.rawValue, default: 0] += 1
                if error.code == .badResume {
                    acknowledgedTick = 0
                    lastAckSent = 0
                }
            case .relay, .playerJoined, .playerLeft, .pong, nil:
                break
            }
        }
        guard let newestTick, newestTick > acknowledgedTick else { return nil }
        acknowledgedTick = newestTick
        // A playing bot's acks ride on its inputs; one goes on its own only when no input carried one for a while
        // (a low input rate), so that the baseline of the server's deltas stays recent.
        if configuration.sendsInputs, newestTick - lastAckSent < Self.acknowledgementLag {
            return nil
        }
        lastAckSent = newestTick
        measurements.counters.acksSent += 1
        var ack = ClientMessage()
        ack.message = .ack(.with { $0.tick = newestTick })
        return ack
    }

    /// ``joinTimeout`` has passed since the connection opened at `openedAt`: counts an error if that connection is
    /// still waiting for its welcome.
    package mutating func joinDeadlinePassed(forConnectionOpenedAt openedAt: ContinuousClock.Instant) {
        guard joiningSince == openedAt else { return }
        joiningSince = nil
        measurements.counters.joinTimeouts += 1
    }

    /// The connection ended; `closeCode` is the server's close code if the server closed it (0 without a code).
    package mutating func disconnected(serverCloseCode closeCode: Int?) {
        phase = .disconnected
        connectedAt = nil
        joiningSince = nil
        awaitingResume = false
        let unanswered = pending.reset()
        if let closeCode {
            // Only an end the bot did not choose loses inputs; at a planned end the last ones are simply in flight.
            measurements.counters.inputsLost += unanswered
            measurements.counters.serverCloses[closeCode, default: 0] += 1
        }
    }

    /// Leaves for good: the next connection is a new player that joins afresh.
    package mutating func forget() {
        acknowledgedTick = 0
        baselines.removeAll()
    }

    /// Hands over what was measured since the last call.
    package mutating func takeMeasurements() -> BotMeasurements {
        measurements.counters.inputsUntracked = pending.untracked - reportedUntracked
        reportedUntracked = pending.untracked
        defer { measurements = BotMeasurements() }
        return measurements
    }

    private mutating func countFrame(size: Int, at now: ContinuousClock.Instant) {
        measurements.counters.framesReceived += 1
        measurements.counters.bytesReceived += size
        if configuration.window.contains(now) {
            measurements.counters.windowFrames += 1
            measurements.counters.windowBytes += size
        }
    }

    /// Decodes `snapshot` against its baseline, checks its hash and settles the inputs it shows applied; returns
    /// whether it applied.
    private mutating func apply(_ snapshot: ServerMessage.Snapshot, at now: ContinuousClock.Instant) -> Bool {
        measurements.counters.snapshots += 1
        if configuration.window.contains(now) {
            measurements.counters.windowSnapshots += 1
        }
        let isKeyframe = snapshot.baselineTick == 0
        if isKeyframe {
            measurements.counters.keyframes += 1
        } else {
            measurements.counters.deltas += 1
        }
        if let connectedAt {
            measurements.firstSnapshots.append(BotMeasurements.microseconds(connectedAt.duration(to: now)))
            self.connectedAt = nil
        }
        if awaitingResume {
            awaitingResume = false
            if isKeyframe {
                measurements.counters.resumedWithKeyframe += 1
            } else {
                measurements.counters.resumedWithDelta += 1
            }
        }
        let window = configuration.window
        pending.applied(upTo: snapshot.lastAppliedSequence, at: now) { sentAt, latency in
            if window.contains(sentAt) {
                measurements.latencies.append(BotMeasurements.microseconds(latency))
            } else {
                measurements.latenciesOutsideWindow.append(BotMeasurements.microseconds(latency))
            }
        }
        var baseline: EntityTable?
        if !isKeyframe {
            baseline = baselines[snapshot.baselineTick]
            guard baseline != nil else {
                measurements.counters.missingBaselines += 1
                return false
            }
        }
        let entities: EntityTable
        do {
            if configuration.isJSON {
                entities = try EntityTable.applying(
                    snapshot.entities,
                    removed: snapshot.removed,
                    to: baseline,
                    schema: configuration.schema
                )
            } else {
                entities = try SnapshotCodec.decode(
                    [UInt8](snapshot.payload),
                    baseline: baseline,
                    baselineTick: isKeyframe ? nil : snapshot.baselineTick,
                    tick: snapshot.tick,
                    schema: configuration.schema
                )
            }
        } catch {
            measurements.counters.decodeFailures += 1
            return false
        }
        // The hash travels with keyframes and every 30th tick; 0 means this snapshot carries none.
        if snapshot.entityHash != 0 && entities.entityHash != snapshot.entityHash {
            measurements.counters.hashMismatches += 1
            return false
        }
        if !isKeyframe {
            // Fewer states kept, fewer cache misses: 500 bots' 32 states each did not stay in cache (perf).
            baselines.removeAll(before: snapshot.baselineTick)
        }
        baselines.insert(entities, at: snapshot.tick)
        return true
    }
}
