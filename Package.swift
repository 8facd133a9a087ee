// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "tickstream",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tickstream", targets: ["tickstream"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        // zlib for permessage-deflate on the gateway's event loops; already resolved through swift-websocket.
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        // HMAC-SHA256 for access tokens; already resolved through swift-websocket.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        // TLS for the gateway and its tests; already resolved through hummingbird.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        // For `HTTPFields` in the tests' WebSocket client; already resolved through swift-websocket.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // librdkafka from the system (Debian: librdkafka-dev). Imported by TickstreamKafka alone.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // epoll from the C library (Glibc's module leaves it out), for tickstream-bench's bare-socket floor.
        .systemLibrary(name: "CEpoll"),
        // Producer, consumer, admin and the embedded (mock) cluster on librdkafka.
        .target(
            name: "TickstreamKafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The game-facing model: entity schemas, room state, the `GameRules` protocol. Pure, no I/O.
        .target(
            name: "TickstreamRules",
            swiftSettings: swiftSettings
        ),
        // The built-in reference game.
        .target(
            name: "TickstreamArena",
            dependencies: ["TickstreamRules"],
            swiftSettings: swiftSettings
        ),
        // Keyframes and baseline deltas of room state. Pure, no I/O.
        .target(
            name: "TickstreamSnapshot",
            dependencies: ["TickstreamRules"],
            swiftSettings: swiftSettings
        ),
        // Messages on the wire and in Kafka, generated from schemas/ by tools/generate-schemas, and the buffer they
        // serialize into.
        .target(
            name: "TickstreamProtocol",
            dependencies: [
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        // Tick engine and the simulation worker service.
        .target(
            name: "TickstreamSimulation",
            dependencies: [
                "TickstreamRules",
                "TickstreamSnapshot",
                "TickstreamProtocol",
                "TickstreamKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        // Operator tooling: reads a room's records, re-simulates and verifies them, exports a match to a file.
        .target(
            name: "TickstreamReplay",
            dependencies: [
                "TickstreamRules",
                "TickstreamSnapshot",
                "TickstreamProtocol",
                "TickstreamKafka",
                "TickstreamSimulation",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        // Access tokens: who a player is and which rooms it may enter, signed with the gateway's secret. The gateway
        // verifies them; `tickstream token` and the bots mint them.
        .target(
            name: "TickstreamAccess",
            dependencies: [
                "TickstreamRules",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // WebSocket sessions, the broadcaster and the HTTP endpoints.
        .target(
            name: "TickstreamGateway",
            dependencies: [
                "TickstreamAccess",
                "TickstreamRules",
                "TickstreamSnapshot",
                "TickstreamProtocol",
                "TickstreamKafka",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        // Synthetic players: sessions, scenarios, latency and bandwidth measurement (`tickstream bots`).
        .target(
            name: "TickstreamBots",
            dependencies: [
                "TickstreamAccess",
                "TickstreamProtocol",
                "TickstreamSnapshot",
                "TickstreamArena",
                "TickstreamRules",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tickstream",
            dependencies: [
                "TickstreamAccess",
                "TickstreamBots",
                "TickstreamKafka",
                "TickstreamRules",
                "TickstreamArena",
                "TickstreamSnapshot",
                "TickstreamProtocol",
                "TickstreamSimulation",
                "TickstreamReplay",
                "TickstreamGateway",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // Microbenchmarks that print figures (`swift build -c release --product tickstream-bench`, README).
        .executableTarget(
            name: "tickstream-bench",
            dependencies: [
                "CEpoll",
                "TickstreamKafka",
                "TickstreamProtocol",
                "TickstreamSimulation",
                "TickstreamReplay",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                "TickstreamRules",
                "TickstreamArena",
                "TickstreamSnapshot",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // What the test targets share: an embedded cluster with Tickstream's topics, a pipeline to drive, timeouts,
        // a WebSocket game client.
        .target(
            name: "TickstreamTesting",
            dependencies: [
                "TickstreamArena",
                "TickstreamKafka",
                "TickstreamProtocol",
                "TickstreamRules",
                "TickstreamSimulation",
                "TickstreamSnapshot",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "WSCompression", package: "swift-websocket"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TickstreamAccessTests",
            dependencies: ["TickstreamAccess"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TickstreamKafkaTests",
            dependencies: ["TickstreamKafka", "TickstreamTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TickstreamBotsTests",
            dependencies: [
                "TickstreamBots", "TickstreamProtocol", "TickstreamRules", "TickstreamSnapshot", "TickstreamArena",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TickstreamRulesTests",
            dependencies: ["TickstreamRules"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TickstreamSnapshotTests",
            dependencies: ["TickstreamSnapshot", "TickstreamRules", "TickstreamArena"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TickstreamSimulationTests",
            dependencies: [
                "TickstreamSimulation", "TickstreamArena", "TickstreamKafka", "TickstreamProtocol", "TickstreamTesting",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TickstreamReplayTests",
            dependencies: [
                "TickstreamReplay", "TickstreamSimulation", "TickstreamArena", "TickstreamKafka", "TickstreamProtocol",
                "TickstreamRules", "TickstreamTesting",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TickstreamGatewayTests",
            dependencies: [
                "TickstreamGateway", "TickstreamSimulation", "TickstreamArena", "TickstreamKafka",
                "TickstreamProtocol", "TickstreamRules", "TickstreamSnapshot", "TickstreamTesting", "TickstreamBots",
                "TickstreamAccess",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // Separate processes (the built `tickstream` binary) on one embedded cluster: gateways and workers scaled out.
        .testTarget(
            name: "TickstreamScaleOutTests",
            dependencies: [
                "TickstreamArena", "TickstreamKafka", "TickstreamProtocol", "TickstreamRules", "TickstreamTesting",
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
