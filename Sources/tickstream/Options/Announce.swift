#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a line for the operator (an address to connect to) at once, even when standard output is a
/// pipe, where `print` would hold it in a buffer.
func announce(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    bytes.withUnsafeBytes { buffer in
        _ = write(STDOUT_FILENO, buffer.baseAddress, buffer.count)
    }
}
