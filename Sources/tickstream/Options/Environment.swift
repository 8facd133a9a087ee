#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Settings from the environment: each flag `--some-name` can also be given as `TICKSTREAM_SOME_NAME`.
enum Environment {
    static func value(_ name: String) -> String? {
        getenv("TICKSTREAM_\(name)").map { String(cString: $0) }
    }
}
