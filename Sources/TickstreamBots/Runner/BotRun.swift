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

    init(configuration: BotConfiguration, connector: WebSocketConnector, start: ContinuousClock.Instant, window: MeasurementWindow) {
        self.configuration = configuration
        wire = BotWire(isJSON: configuration.isJSON)
        self.connector = connector
        self.start = start
        self.window = window
        anchor = (ContinuousClock.now, NIODeadline.now())
    }

    /// `instant` as an event loop deadline.
    func deadline(_ instant: ContinuousClock.Instant) -> NIODeadline {
        anchor.deadline + TimeAmount(anchor.instant.duration(to: instant))
    }
}
