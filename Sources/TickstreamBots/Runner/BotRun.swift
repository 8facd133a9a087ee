import Foundation
import NIOCore

/// What every bot of a run shares: the configuration, the wire format, the connector and the run's times.
struct BotRun: Sendable {
    let configuration: BotConfiguration
    let wire: BotWire
    let connector: WebSocketConnector
    /// The start of the run: plans count from it.
    let start: ContinuousClock.Instant
    let window: MeasurementWindow
    /// One instant read on both clocks: bots measure with `ContinuousClock`, event loops schedule by `NIODeadline`.
    private let anchor: (instant: ContinuousClock.Instant, deadline: NIODeadline)
    /// When minted tokens expire, in seconds since 1970: a while after the run, so that a reconnection near its end
    /// still gets in.
    private let tokenExpiry: Int64

    init(configuration: BotConfiguration, connector: WebSocketConnector, start: ContinuousClock.Instant, window: MeasurementWindow) {
        self.configuration = configuration
        wire = BotWire(isJSON: configuration.isJSON)
        self.connector = connector
        self.start = start
        self.window = window
        anchor = (ContinuousClock.now, NIODeadline.now())
        let runSeconds = (configuration.warmup + configuration.duration).seconds.rounded(.up)
        tokenExpiry = Int64(Date().timeIntervalSince1970) + Int64(runSeconds) + 600
    }

    /// The token a connection of `plan`'s bot presents, or of the `generation`-th player to take its place (see
    /// ``BotCredentials``); nil when the gateway needs none.
    func token(for plan: BotPlan, generation: Int = 0) -> String? {
        let player = BotCredentials.player(roomPrefix: configuration.roomPrefix, bot: plan.index, generation: generation)
        return configuration.credentials.token(player: player, room: plan.room, expiresAt: tokenExpiry, now: Int64(Date().timeIntervalSince1970))
    }

    /// `instant` as an event loop deadline.
    func deadline(_ instant: ContinuousClock.Instant) -> NIODeadline {
        anchor.deadline + TimeAmount(anchor.instant.duration(to: instant))
    }
}
