import ArgumentParser
import Logging

struct LoggingOptions: ParsableArguments {
    @Option(
        help: "Log level: trace, debug, info, notice, warning, error or critical. Env: TICKSTREAM_LOG_LEVEL.",
        transform: { name in
            guard let level = Logger.Level(rawValue: name) else {
                throw ValidationError("unknown log level '\(name)'; use trace, debug, info, notice, warning, error or critical")
            }
            return level
        }
    )
    var logLevel: Logger.Level?

    /// Sends logs to standard error at the chosen level and returns the root logger.
    func bootstrap(label: String, defaultLevel: Logger.Level = .info) -> Logger {
        let level = logLevel ?? Environment.value("LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? defaultLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }
}
