/// Turns a scenario into one plan per bot: which room, which role, when to connect, when to be interrupted.
///
/// Pure and deterministic. Rooms get contiguous blocks of bots, and the bots a scenario singles out (its fraction of
/// all players) are spread evenly over them, so that every room has its share of spectators, slow readers and so on.
package struct ScenarioSchedule: Sendable {
    package var scenario: BotScenario
    package var players: Int
    package var rooms: Int
    /// Room names are `<roomPrefix>-<index>`.
    package var roomPrefix: String
    package var warmup: Duration
    package var duration: Duration
    /// Connections open one after another over this long, from the start of the run.
    package var connectRamp: Duration
    /// How long a dropped bot stays away before it resumes.
    package var reconnectPause: Duration
    /// How long after a churned player leaves its replacement joins (at most half the churn cycle).
    package var rejoinPause: Duration

    package init(
        scenario: BotScenario,
        players: Int,
        rooms: Int,
        roomPrefix: String,
        warmup: Duration,
        duration: Duration,
        connectRamp: Duration? = nil,
        reconnectPause: Duration = .milliseconds(250),
        rejoinPause: Duration = .seconds(1)
    ) {
        precondition(players > 0 && rooms > 0 && rooms <= players, "1 ≤ rooms ≤ players")
        self.scenario = scenario
        self.players = players
        self.rooms = rooms
        self.roomPrefix = roomPrefix
        self.warmup = warmup
        self.duration = duration
        self.connectRamp = connectRamp ?? min(warmup / 2, .seconds(2))
        self.reconnectPause = reconnectPause
        self.rejoinPause = rejoinPause
    }

    /// The room of bot `index`: rooms hold contiguous, nearly equal blocks.
    package func room(of index: Int) -> Int {
        index * rooms / players
    }

    /// Whether bot `index` is among the `fraction` singled out: every 1/fraction-th bot of the run, evenly spread. As
    /// rooms are contiguous blocks of bots, each room gets its share (rounded down or up) evenly spread over it, and
    /// the run the fraction of all its players (rounded down).
    static func isSelected(_ index: Int, fraction: Double) -> Bool {
        // A hair over, so that a fraction such as 1/3, in binary a hair under, still selects every third bot.
        (Double(index + 1) * fraction + 1e-9).rounded(.down) > (Double(index) * fraction + 1e-9).rounded(.down)
    }

    package func plans() -> [BotPlan] {
        var abusiveCount = 0
        var plans = (0..<players).map { index in
            let room = room(of: index)
            var role = BotPlan.Role.player
            let selected = Self.isSelected(index, fraction: scenario.fraction)
            switch scenario.kind {
            case .spectators where selected: role = .spectator
            case .slow where selected: role = .slowReader
            case .abusive where selected:
                // In turn over the whole run, so that even a few abusive bots try every kind.
                role = .abusive(AbuseKind.allCases[abusiveCount % AbuseKind.allCases.count])
                abusiveCount += 1
            default: break
            }
            return BotPlan(
                index: index,
                room: "\(roomPrefix)-\(room)",
                role: role,
                connectAt: connectRamp * (Double(index) / Double(players))
            )
        }
        switch scenario.kind {
        case .reconnect:
            // A storm: everyone concerned drops within 100 ms of the middle of the measurement.
            let middle = warmup + duration / 2
            for index in plans.indices {
                guard Self.isSelected(index, fraction: scenario.fraction) else { continue }
                let at = middle + .milliseconds(100) * (Double(index) / Double(players))
                plans[index].interruptions.append(.init(at: at, kind: .drop, pause: reconnectPause))
            }
        case .churn:
            addChurn(to: &plans)
        case .steady, .slow, .spectators, .abusive:
            break
        }
        return plans
    }

    /// Spreads `fraction × players` leaves per second over the measurement, taking bots room by room in turn.
    private func addChurn(to plans: inout [BotPlan]) {
        let perSecond = scenario.fraction * Double(players)
        guard perSecond > 0 else { return }
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let count = Int((perSecond * seconds).rounded(.down))
        let order = interleavedOrder()
        // A bot's turns come `players / perSecond` seconds apart; its replacement must be in before the next one.
        let cycle = Duration.seconds(Double(players) / perSecond)
        let pause = min(rejoinPause, cycle / 2)
        for event in 0..<count {
            let at = warmup + .seconds(Double(event) / perSecond)
            plans[order[event % players]].interruptions.append(.init(at: at, kind: .leave, pause: pause))
        }
    }

    /// Bot indices taking the first bot of each room, then the second of each, and so on.
    func interleavedOrder() -> [Int] {
        var blocks = Array(repeating: [Int](), count: rooms)
        for index in 0..<players {
            blocks[room(of: index)].append(index)
        }
        let longest = blocks.map(\.count).max() ?? 0
        var order: [Int] = []
        order.reserveCapacity(players)
        for slot in 0..<longest {
            for block in blocks where slot < block.count {
                order.append(block[slot])
            }
        }
        return order
    }
}
