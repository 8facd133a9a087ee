import CEpoll
import Glibc

/// CPU time spent so far, from `getrusage`.
struct CPUTime {
    var user: Double
    var system: Double
    var total: Double { user + system }

    /// The whole process's.
    static func process() -> CPUTime { measure(RUSAGE_SELF.rawValue) }

    /// The calling thread's alone (`RUSAGE_THREAD`, 1, which Glibc's module leaves out with the rest of _GNU_SOURCE).
    static func thread() -> CPUTime { measure(1) }

    private static func measure(_ who: Int32) -> CPUTime {
        var usage = rusage()
        getrusage(who, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return CPUTime(user: seconds(usage.ru_utime), system: seconds(usage.ru_stime))
    }
}

extension CPUTime {
    /// The CPU time of this process's threads whose names start with one of `prefixes`, from /proc/self/task:
    /// librdkafka's threads (`rdk:`) and Tickstream's Kafka poll threads (`kafka-`), say.
    static func threads(named prefixes: [String]) -> CPUTime {
        var sum = CPUTime(user: 0, system: 0)
        guard let directory = opendir("/proc/self/task") else { return sum }
        defer { closedir(directory) }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        while let entry = readdir(directory) {
            let id = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard id.first?.isNumber == true,
                let name = contents(of: "/proc/self/task/\(id)/comm"),
                prefixes.contains(where: { name.hasPrefix($0) }),
                let stat = contents(of: "/proc/self/task/\(id)/stat"),
                let afterName = stat.lastIndex(of: ")")
            else { continue }
            // The fields after the name: utime and stime are the 12th and 13th, in clock ticks.
            let fields = stat[stat.index(after: afterName)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            sum.user += user / ticksPerSecond
            sum.system += system / ticksPerSecond
        }
        return sum
    }

    private static func contents(of path: String) -> String? {
        let file = open(path, O_RDONLY)
        guard file >= 0 else { return nil }
        defer { close(file) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = read(file, &buffer, buffer.count)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    static func - (later: CPUTime, earlier: CPUTime) -> CPUTime {
        CPUTime(user: later.user - earlier.user, system: later.system - earlier.system)
    }
}
