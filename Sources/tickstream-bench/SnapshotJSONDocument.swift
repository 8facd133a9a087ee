import TickstreamRules

/// The naive alternative the benchmark compares against: the whole state as a JSON document every tick,
/// with the schema's field names.
enum SnapshotJSONDocument {
    static func encode(_ table: EntityTable, tick: UInt64, schema: EntitySchema) -> String {
        var json = "{\"tick\":\(tick),\"entities\":["
        for (position, entity) in table.enumerated() {
            let kind = schema.kinds[Int(entity.kind)]
            json += position == 0 ? "{" : ",{"
            json += "\"id\":\(entity.id),\"kind\":\"\(kind.name)\""
            for (field, value) in zip(kind.fields, entity.fields) {
                json += ",\"\(field.name)\":\(value)"
            }
            json += "}"
        }
        json += "]}"
        return json
    }
}
