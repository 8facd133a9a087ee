import ArgumentParser

@main
struct Tickstream: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tickstream",
        abstract: "Real-time multiplayer state sync on Kafka.",
        discussion: "Start with `tickstream serve`: everything in one process on an embedded Kafka cluster.",
        subcommands: [Serve.self, GatewayCommand.self, Worker.self, KafkaCommand.self, Topics.self, Bots.self, Replay.self, Token.self]
    )
}
