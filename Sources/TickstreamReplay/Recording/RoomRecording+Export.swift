public import TickstreamProtocol
import SwiftProtobuf

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension RoomRecording {
    /// The export file layout this build writes, and the newest it reads.
    public static let exportFormatVersion: UInt32 = 1

    /// The recording as an export file's message.
    /// - Parameters:
    ///   - rules: the rules the room ran under, recorded so that a reader refuses others.
    public func export(rulesName: String, rulesVersion: UInt32, idleTimeoutTicks: UInt64, sourceTopic: String, exportedAtMs: Int64) -> RoomExport {
        RoomExport.with { file in
            file.formatVersion = Self.exportFormatVersion
            file.room = room
            file.rulesName = rulesName
            file.rulesVersion = rulesVersion
            file.tickRate = tickRate ?? 0
            file.idleTimeoutTicks = idleTimeoutTicks
            file.sourceTopic = sourceTopic
            file.partition = partition
            file.exportedAtMs = exportedAtMs
            if let checkpoint { file.checkpoint = checkpoint }
            file.inputs = inputs.map { input in
                ExportedInput.with {
                    $0.offset = input.offset
                    $0.timestampMs = input.timestamp
                    $0.record = input.record
                }
            }
            file.states = states
        }
    }

    /// The recording an export file holds.
    /// - Throws: `ReplayError.badFile` for a file of a newer format or without ticks.
    public init(_ file: RoomExport) throws(ReplayError) {
        guard file.formatVersion <= Self.exportFormatVersion else {
            throw .badFile("the export file is of format \(file.formatVersion); this build reads up to \(Self.exportFormatVersion)")
        }
        guard !file.states.isEmpty else { throw .badFile("the export file of room \(file.room) holds no recorded tick") }
        self.init(
            room: file.room,
            partition: file.partition,
            checkpoint: file.hasCheckpoint ? file.checkpoint : nil,
            inputs: file.inputs.map { RecordedInput(offset: $0.offset, timestamp: $0.timestampMs, record: $0.record) },
            states: file.states
        )
        rulesName = file.rulesName
        rulesVersion = file.rulesVersion
    }
}

extension RoomExport {
    /// Reads an export file.
    /// - Throws: `ReplayError.badFile` if it cannot be read or is not an export.
    public init(contentsOfFile path: String) throws(ReplayError) {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .badFile("cannot read \(path): \(error)")
        }
        do {
            self = try RoomExport(serializedBytes: bytes)
        } catch {
            throw .badFile("\(path) is not a Tickstream export file: \(error)")
        }
        guard !room.isEmpty else { throw .badFile("\(path) is not a Tickstream export file: it names no room") }
    }

    /// Writes the file, replacing any file at `path`.
    public func write(toFile path: String) throws {
        let bytes: Data = try serializedBytes()
        try bytes.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
