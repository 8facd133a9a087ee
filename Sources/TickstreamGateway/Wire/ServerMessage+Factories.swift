import Foundation
import TickstreamRules
import TickstreamProtocol

extension ServerMessage {
    /// An error the client caused or met.
    static func error(_ code: ErrorCode, _ message: String, sequence: UInt64 = 0) -> Self {
        var error = ServerMessage.Error()
        error.code = code
        error.message = message
        error.sequence = sequence
        var result = ServerMessage()
        result.message = .error(error)
        return result
    }

    /// The answer to a ping.
    static func pong(nonce: UInt64, serverTimeMs: Int64) -> Self {
        var pong = ServerMessage.Pong()
        pong.nonce = nonce
        pong.serverTimeMs = serverTimeMs
        var result = ServerMessage()
        result.message = .pong(pong)
        return result
    }
}

extension ServerMessage {
    /// The join succeeded: who the player is and what the game looks like.
    static func welcome(player: String, room: String, entity: UInt32, tickRate: UInt32, rules: any GameRules) -> Self {
        var welcome = ServerMessage.Welcome()
        welcome.playerID = player
        welcome.room = room
        welcome.tickRate = tickRate == 0 ? UInt32(rules.tickRate) : tickRate
        welcome.schemaVersion = 1
        welcome.rulesName = rules.name
        welcome.rulesVersion = rules.version
        welcome.kinds = rules.schema.kinds.map { kind in
            var entityKind = ServerMessage.EntityKind()
            entityKind.name = kind.name
            entityKind.fields = kind.fields.map(\.name)
            return entityKind
        }
        welcome.entityID = entity
        var result = ServerMessage()
        result.message = .welcome(welcome)
        return result
    }

    static func playerJoined(_ player: String, entity: UInt32) -> Self {
        var joined = ServerMessage.PlayerJoined()
        joined.playerID = player
        joined.entityID = entity
        var result = ServerMessage()
        result.message = .playerJoined(joined)
        return result
    }

    static func playerLeft(_ player: String, dropped: Bool) -> Self {
        var left = ServerMessage.PlayerLeft()
        left.playerID = player
        left.reason = dropped ? "dropped" : "left"
        var result = ServerMessage()
        result.message = .playerLeft(left)
        return result
    }

    static func relay(from player: String, kind: String, payload: Data) -> Self {
        var relay = ServerMessage.Relay()
        relay.fromPlayer = player
        relay.kind = kind
        relay.payload = payload
        var result = ServerMessage()
        result.message = .relay(relay)
        return result
    }
}
