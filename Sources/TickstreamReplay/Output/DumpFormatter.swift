public import TickstreamKafka
import SwiftProtobuf
import TickstreamProtocol
public import TickstreamRules
import TickstreamSnapshot

/// Turns records of the inputs and state topics into JSON lines: where the record is (topic, partition,
/// offset, timestamp), its room, tick and player, and the record in the protobuf JSON mapping.
///
/// Input records are given the tick that applied them, from the state records read before them; state
/// records optionally carry their decoded entities.
public struct DumpFormatter {
    public let filter: DumpFilter
    private let schema: EntitySchema
    /// By room: (input watermark, tick) of its state records, in log order, to place inputs in ticks.
    private var watermarks: [String: [(watermark: Int64, tick: UInt64)]] = [:]
    /// By room: recently decoded entity tables, by tick, as baselines of the next deltas.
    private var tables: [String: [UInt64: EntityTable]] = [:]

    public init(filter: DumpFilter, schema: EntitySchema) {
        self.filter = filter
        self.schema = schema
    }

    /// Notes a state record's tick boundary without printing it, so that inputs can be placed in ticks.
    public mutating func learn(_ record: ConsumerRecord) {
        guard let state = try? StateRecord(serializedBytes: record.value) else { return }
        watermarks[state.room, default: []].append((state.inputWatermark, state.tick))
    }

    /// The JSON line of an input record, or nil if the filter leaves it out.
    public func inputLine(_ record: ConsumerRecord) -> String? {
        guard let input = try? InputRecord(serializedBytes: record.value) else {
            return filter.room == nil ? location(record, room: nil, tick: nil, player: nil, extra: [("error", jsonString("undecodable input record"))]) : nil
        }
        guard filter.room.map({ $0 == input.room }) ?? true, filter.player.map({ $0 == input.player }) ?? true else { return nil }
        let tick = self.tick(applying: record.offset, room: input.room)
        if let ticks = filter.ticks {
            guard let tick, ticks.contains(tick) else { return nil }
        }
        var extra: [(String, String)] = []
        if case .input(let value) = input.action {
            extra.append(("payload", "[" + value.payload.map { "\($0)" }.joined(separator: ",") + "]"))
        }
        extra.append(("record", (try? input.jsonString()) ?? "null"))
        return location(record, room: input.room, tick: tick, player: input.player, extra: extra)
    }

    /// The JSON line of a state record, or nil if the filter leaves it out.
    public mutating func stateLine(_ record: ConsumerRecord) -> String? {
        guard let state = try? StateRecord(serializedBytes: record.value) else { return nil }
        guard filter.room.map({ $0 == state.room }) ?? true else { return nil }
        let decoded = filter.entities ? decode(state) : nil
        if let ticks = filter.ticks, !ticks.contains(state.tick) { return nil }
        if let player = filter.player, !state.players.contains(where: { $0.player == player }) { return nil }
        var extra: [(String, String)] = []
        if filter.entities {
            extra.append(("entities", decoded.map { "[" + $0.map { $0.json(schema: schema) }.joined(separator: ",") + "]" } ?? "null"))
        }
        extra.append(("record", (try? state.jsonString()) ?? "null"))
        return location(record, room: state.room, tick: state.tick, player: nil, extra: extra)
    }

    /// The tick at which the input at `offset` was applied: the first recorded tick whose watermark reaches it
    /// (watermarks grow with ticks, so a binary search finds it).
    private func tick(applying offset: Int64, room: String) -> UInt64? {
        guard let boundaries = watermarks[room] else { return nil }
        var low = 0
        var high = boundaries.count
        while low < high {
            let middle = (low + high) / 2
            if boundaries[middle].watermark < offset { low = middle + 1 } else { high = middle }
        }
        return low < boundaries.count ? boundaries[low].tick : nil
    }

    private mutating func decode(_ state: StateRecord) -> EntityTable? {
        var known = tables[state.room] ?? [:]
        let baseline = state.baselineTick == 0 ? nil : known[state.baselineTick]
        guard state.baselineTick == 0 || baseline != nil,
            let table = try? SnapshotCodec.decode([UInt8](state.entities), baseline: baseline, baselineTick: state.baselineTick, tick: state.tick, schema: schema)
        else { return nil }
        known[state.tick] = table
        if known.count > 64, let oldest = known.keys.min() { known[oldest] = nil }
        tables[state.room] = known
        return table
    }

    private func location(_ record: ConsumerRecord, room: String?, tick: UInt64?, player: String?, extra: [(String, String)]) -> String {
        var members: [(String, String)] = [
            ("topic", jsonString(record.topic)), ("partition", "\(record.partition)"), ("offset", "\(record.offset)"),
            ("timestamp", "\(record.timestamp)"),
        ]
        if let room { members.append(("room", jsonString(room))) }
        if let tick { members.append(("tick", "\(tick)")) }
        if let player { members.append(("player", jsonString(player))) }
        return jsonObject(members + extra)
    }
}
