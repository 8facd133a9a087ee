import Logging
import Synchronization

/// A log handler that keeps every message, to check what a library logged.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var logger: Logger {
        var logger = Logger(label: "tickstream.gateway.tests.capture") { _ in Handler(capture: self) }
        logger.logLevel = .debug
        return logger
    }

    var messages: [String] { lines.withLock { $0 } }

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
        }
    }
}
