import ArgumentParser
import Logging
import TickstreamArena
import TickstreamReplay
import TickstreamRules

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The rules replay runs: they must be those the room ran under.
struct ReplayRulesOptions: ParsableArguments {
    @Option(help: "Ticks per second the room ran at.")
    var tickRate: Int = 30

    @Option(help: "Most players in a room, as the worker was configured.")
    var maxPlayers: Int = 32

    @Option(help: "Seconds a room without players stayed open, as the worker was configured.")
    var idleTimeout: Int = 30

    func rules() throws -> any GameRules {
        guard (1...1_000).contains(tickRate) else { throw ValidationError("--tick-rate must be 1 to 1000") }
        return ArenaRules(tickRate: tickRate, maxPlayers: maxPlayers)
    }

    var idleTimeoutTicks: UInt64 { UInt64(max(1, idleTimeout * tickRate)) }
}

/// Where replay reads: a cluster, bounded in time.
struct ReplaySourceOptions: ParsableArguments {
    @OptionGroup var kafka: KafkaOptions

    @Option(help: "Seconds to wait for Kafka to answer, or for the next record of a range.")
    var timeout: Int = 10

    /// Runs `body` with a reader of the cluster, closed afterwards.
    func withReader<T>(logger: Logger, _ body: (LogReader) async throws -> T) async throws -> T {
        let reader = try LogReader(bootstrapServers: try kafka.requiredBrokers(), properties: try kafka.properties(), timeout: .seconds(timeout), logger: logger)
        do {
            let result = try await body(reader)
            await reader.close()
            return result
        } catch {
            await reader.close()
            throw error
        }
    }
}

/// Progress of long runs, on standard error so that standard output stays machine-readable.
enum Progress {
    static func report(_ progress: ReadProgress) {
        note("reading \(progress.partition): \(progress.read)/\(progress.total) records")
    }

    static func note(_ line: String) {
        let text = line + "\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
    }
}

extension ReplayError {
    /// The error as the command-line tool reports it: the message, exit code 1.
    var exit: some Error { ValidationError(message) }
}
