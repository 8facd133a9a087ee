public import TickstreamRules

extension RoomState {
    /// The state as a JSON document: tick, hash, players, and each entity with its kind and named fields,
    /// one entity per line.
    public func json(room: String, schema: EntitySchema) -> String {
        let players = self.players.map { player in
            jsonObject([("player", jsonString(player.id)), ("entity", "\(player.entity ?? 0)"), ("lastAppliedSequence", "\(player.lastAppliedSequence)")])
        }
        let entities = self.entities.map { "    " + $0.json(schema: schema) }
        return """
            {"room":\(jsonString(room)),"tick":\(tick),"stateHash":"\(hex(stateHash))","nextEntityId":\(nextEntityID),
             "players":[\(players.joined(separator: ","))],
             "entities":[
            \(entities.joined(separator: ",\n"))
            ]}
            """
    }
}

extension Entity {
    /// `{"id":…,"kind":"…","fields":{"name":value,…}}` with the schema's names.
    public func json(schema: EntitySchema) -> String {
        let declared = Int(kind) < schema.kinds.count ? schema.kinds[Int(kind)] : nil
        let fields = self.fields.indices.map { index in
            (index < declared?.fields.count ?? 0 ? declared!.fields[index].name : "#\(index)", "\(self.fields[index])")
        }
        return jsonObject([("id", "\(id)"), ("kind", jsonString(declared?.name ?? "\(kind)")), ("fields", jsonObject(fields))])
    }
}
