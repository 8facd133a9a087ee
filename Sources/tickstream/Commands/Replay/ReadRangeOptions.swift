import ArgumentParser
import TickstreamReplay

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An offset or time range of the topics.
struct ReadRangeOptions: ParsableArguments {
    @Option(help: "First offset to read (in each partition read).")
    var fromOffset: Int64?

    @Option(help: "Last offset to read, inclusive.")
    var toOffset: Int64?

    @Option(help: "Records at or after this time: ISO 8601 (2025-01-31T18:00:00Z) or milliseconds since 1970.")
    var since: String?

    @Option(help: "Records at or before this time: ISO 8601 or milliseconds since 1970.")
    var until: String?

    func range() throws -> ReadRange {
        ReadRange(fromOffset: fromOffset, toOffset: toOffset, since: try since.map(Self.milliseconds), until: try until.map(Self.milliseconds))
    }

    private static func milliseconds(_ text: String) throws -> Int64 {
        if let milliseconds = Int64(text) { return milliseconds }
        guard let date = try? Date(text, strategy: .iso8601) else {
            throw ValidationError("'\(text)' is not a time: give ISO 8601 (2025-01-31T18:00:00Z) or milliseconds since 1970")
        }
        return Int64(date.timeIntervalSince1970 * 1000)
    }
}
