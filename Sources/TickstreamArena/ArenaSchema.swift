public import TickstreamRules

/// The arena's entity kinds and the index of each field.
public enum ArenaSchema {
    public enum Player {
        public static let kind: UInt8 = 0
        public static let x = 0
        public static let y = 1
        public static let vx = 2
        public static let vy = 3
        public static let heading = 4
        public static let score = 5
        /// The sequence number of the last input applied, for client-side reconciliation.
        public static let lastInput = 6
        static let fieldCount = 7
    }

    public enum Pickup {
        public static let kind: UInt8 = 1
        public static let x = 0
        public static let y = 1
        public static let value = 2
    }

    public static let schema = EntitySchema(kinds: [
        EntityKind(name: "player", fields: [
            EntityField("x", unitsPerGameUnit: 100, velocityField: Player.vx),
            EntityField("y", unitsPerGameUnit: 100, velocityField: Player.vy),
            EntityField("vx", unitsPerGameUnit: 100),
            EntityField("vy", unitsPerGameUnit: 100),
            EntityField("heading"),
            EntityField("score"),
            EntityField("lastInput"),
        ]),
        EntityKind(name: "pickup", fields: [
            EntityField("x", unitsPerGameUnit: 100),
            EntityField("y", unitsPerGameUnit: 100),
            EntityField("value"),
        ]),
    ])
}
