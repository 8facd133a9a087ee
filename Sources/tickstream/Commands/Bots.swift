import ArgumentParser
import Foundation
import Logging
import TickstreamAccess
import TickstreamBots

struct Bots: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Synthetic players: load, latency and bandwidth figures, churn, reconnect storms, slow readers, bad input.",
        discussion: """
            Connects --players bots to a gateway, spread over --rooms rooms, each sending --rate inputs per second for \
            --warmup + --duration seconds, and reports input → own-state latency, traffic per client, errors and how \
            far behind the bots themselves fell. A progress line goes to standard error every second; the report to \
            standard output.

            Against a gateway that requires tokens, give the bots its secret (--token-secret, --token-secret-file or \
            TICKSTREAM_TOKEN_SECRET): each one then presents a token of its own, for player <room prefix>-p<n> \
            (<room prefix>-p<n>.<k> for the k-th player who takes its place in churn) and its room only.
            """
    )

    @Option(help: "The gateway's WebSocket URL, e.g. ws://127.0.0.1:8080/v1/ws.")
    var url: String

    @Option(help: "Synthetic players (abusive connections included).")
    var players: Int = 100

    @Option(help: "Rooms the players are spread over, in equal blocks.")
    var rooms: Int = 4

    @Option(help: "Inputs per second per player.")
    var rate: Double = 30

    @Option(help: "Seconds measured, after the warm-up.")
    var duration: Double = 30

    @Option(help: "Seconds of connecting and settling before the measurement.")
    var warmup: Double = 5

    @Flag(help: "Speak the JSON subprotocol (tickstream.v1.json) instead of binary protobuf.")
    var jsonProtocol = false

    @Flag(help: "Offer permessage-deflate, as browsers do, and compress what the bots send once it is agreed; the traffic figures count the bytes on the wire.")
    var deflate = false

    @Flag(help: "Print the summary as JSON on standard output.")
    var json = false

    @Option(help: "steady, churn, reconnect, slow, spectators or abusive.")
    var scenario: String = "steady"

    @Option(help: "Share of players the scenario concerns, spread evenly over the rooms (churn: share leaving per second). Default per scenario: churn 0.02, reconnect 0.2, slow 0.1, spectators 0.2, abusive 0.05.")
    var fraction: Double?

    @Option(help: "Room names are <prefix>-<n> (default: bots-<random>, fresh rooms for every run).")
    var roomPrefix: String?

    @Option(help: "A token for a run of one bot. A token names one player, whom every bot would play as: for more bots, give the gateway's token secret.")
    var token: String?

    @OptionGroup var secret: TokenSecretOptions

    @Option(help: "Event loop threads for all connections.")
    var threads: Int = 1

    @Flag(help: "No progress line.")
    var quiet = false

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard players > 0 else { throw ValidationError("--players must be positive") }
        guard (1...players).contains(rooms) else { throw ValidationError("--rooms must be 1 to --players") }
        guard rate > 0, rate <= 1_000 else { throw ValidationError("--rate must be in (0, 1000]") }
        guard duration > 0, warmup >= 0 else { throw ValidationError("--duration must be positive and --warmup not negative") }
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
        if let fraction, !(0...1).contains(fraction) { throw ValidationError("--fraction must be 0 to 1") }
        guard BotScenario.named(scenario) != nil else {
            throw ValidationError("unknown scenario '\(scenario)'; use steady, churn, reconnect, slow, spectators or abusive")
        }
        if token != nil, players > 1 {
            throw ValidationError(
                "--token names one player, and all \(players) bots would play as that player; give the gateway's token secret "
                    + "(--token-secret, --token-secret-file or TICKSTREAM_TOKEN_SECRET) and each bot gets a token of its own"
            )
        }
        if let roomPrefix {
            guard NameRule.room.isValid("\(roomPrefix)-\(rooms - 1)") else {
                throw ValidationError("--room-prefix: room names are 1 to 64 characters of [A-Za-z0-9_.-], and <prefix>-\(rooms - 1) is not")
            }
            // Room for a few hundred churn generations.
            guard NameRule.player.isValid(BotCredentials.player(roomPrefix: roomPrefix, bot: players - 1, generation: 999)) else {
                throw ValidationError("--room-prefix is too long for the bots' player ids (<prefix>-p<n>.<k>, at most 64 characters)")
            }
        }
    }

    func run() async throws {
        let logger = logging.bootstrap(label: "tickstream.bots", defaultLevel: .warning)
        let configuration = BotConfiguration(
            url: url,
            players: players,
            rooms: rooms,
            inputRate: rate,
            duration: .seconds(duration),
            warmup: .seconds(warmup),
            isJSON: jsonProtocol,
            offersDeflate: deflate,
            scenario: BotScenario.named(scenario, fraction: fraction) ?? .steady,
            roomPrefix: roomPrefix ?? "bots-" + String(UInt32.random(in: .min ... .max), radix: 36),
            eventLoopThreads: threads,
            credentials: try token.map(BotCredentials.token) ?? secret.authority().map(BotCredentials.minted) ?? .none
        )
        let report = try await BotRunner(configuration: configuration, logger: logger).run(progress: !quiet)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
    }
}
