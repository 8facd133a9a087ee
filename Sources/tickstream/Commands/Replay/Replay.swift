import ArgumentParser

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a room's inputs and states from Kafka, re-simulate and verify them, export a match.",
        discussion: """
            Inputs are the source of truth and the rules are deterministic, so a room reproduces bit for bit. \
            `verify` and `state` also run offline from a file written by `export` (--file).
            """,
        subcommands: [Rooms.self, Dump.self, Verify.self, State.self, Export.self]
    )
}
