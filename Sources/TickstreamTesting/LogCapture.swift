public import Logging
import Synchronization

/// A log handler that keeps every message, to check what a library logged.
public final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])
    private let passedOn: Logger?

    /// - Parameter passedOn: where messages also go, at its log level: the test run's log keeps what the captured
    ///   code said, for when the test fails.
    public init(passingOn passedOn: Logger? = nil) {
        self.passedOn = passedOn
    }

    public var logger: Logger {
        var logger = Logger(label: "tickstream.tests.capture") { _ in Handler(capture: self) }
        logger.logLevel = .debug
        return logger
    }

    public var messages: [String] { lines.withLock { $0 } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
            capture.lines.withLock { $0.append("\(event.message) \(all)") }
            capture.passedOn?.log(
                level: event.level, event.message, metadata: all, source: event.source,
                file: event.file, function: event.function, line: event.line
            )
        }
    }
}
