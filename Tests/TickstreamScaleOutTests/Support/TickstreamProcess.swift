import Foundation
import Synchronization

/// A `tickstream` subcommand running as a separate process, its standard output and error in a log file.
final class TickstreamProcess: Sendable {
    /// Names the process in failures: `kafka`, `worker-1`, `gateway-2`.
    let name: String
    let logURL: URL
    private let process: Mutex<Process>

    /// Starts `binary` with `arguments`, writing its output to a fresh file in `directory`.
    init(name: String, binary: URL, arguments: [String], directory: URL) throws {
        self.name = name
        logURL = directory.appendingPathComponent("\(name).log")
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
            throw ProcessFailure("\(name): cannot create \(logURL.path)")
        }
        let log = try FileHandle(forWritingTo: logURL)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try log.close()
        self.process = Mutex(process)
    }

    var pid: Int32 { process.withLock { $0.processIdentifier } }
    var isRunning: Bool { process.withLock { $0.isRunning } }

    /// Everything the process wrote so far.
    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// The first line of the log that contains `text`, once there is one.
    ///
    /// - Throws: ``ProcessFailure`` if the process exits first or after `timeout`.
    @discardableResult
    func line(containing text: String, timeout: Duration = .seconds(60)) async throws -> String {
        try await lines(containing: text, count: 1, timeout: timeout)[0]
    }

    /// The first `count` lines of the log that contain `text`, once there are that many.
    func lines(containing text: String, count: Int, timeout: Duration = .seconds(60)) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let matches = log.split(separator: "\n").filter { $0.contains(text) }.map(String.init)
            if matches.count >= count { return Array(matches.prefix(count)) }
            guard isRunning else { throw failure("exited before logging '\(text)'") }
            guard ContinuousClock.now < deadline else { throw failure("no '\(text)' (×\(count)) after \(timeout)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// How a process ended.
    enum Exit: Equatable, CustomStringConvertible {
        case status(Int32)
        case signal(Int32)

        var description: String {
            switch self {
            case .status(let status): "exit status \(status)"
            case .signal(let signal): "killed by signal \(signal)"
            }
        }
    }

    /// Sends `signal` and waits for the process to end.
    ///
    /// - Throws: ``ProcessFailure`` if it is still running after `timeout` (it is then killed).
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(30)) async throws -> Exit {
        if isRunning {
            kill(pid, signal)
        }
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            guard ContinuousClock.now < deadline else {
                kill(pid, SIGKILL)
                throw failure("still running \(timeout) after signal \(signal)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.withLock { process in
            process.terminationReason == .uncaughtSignal ? .signal(process.terminationStatus) : .status(process.terminationStatus)
        }
    }

    /// A failure that shows the end of the log.
    func failure(_ what: String) -> ProcessFailure {
        let tail = log.split(separator: "\n", omittingEmptySubsequences: false).suffix(25).joined(separator: "\n")
        return ProcessFailure("\(name) (pid \(pid)): \(what); last lines of \(logURL.path):\n\(tail)")
    }
}

/// A process did not do what a test waited for.
struct ProcessFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
