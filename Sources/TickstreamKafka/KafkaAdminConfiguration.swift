/// Configuration of a ``KafkaAdmin``.
public struct KafkaAdminConfiguration: Sendable {
    /// Comma-separated `host:port` list of brokers to bootstrap from.
    public var bootstrapServers: String
    /// Names this client in broker logs. Default: `tickstream-admin`.
    public var clientID: String
    /// Any other librdkafka property by name (e.g. security settings). Applied last.
    public var properties: [String: String]

    public init(bootstrapServers: String, clientID: String = "tickstream-admin", properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.properties = properties
    }

    var librdkafkaProperties: [String: String] {
        ["bootstrap.servers": bootstrapServers, "client.id": clientID].merging(properties) { _, passedThrough in
            passedThrough
        }
    }
}
