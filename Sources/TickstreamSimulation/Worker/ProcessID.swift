#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// This process's id, for default names of workers and gateways.
public enum ProcessID {
    public static var current: Int32 { getpid() }
}
