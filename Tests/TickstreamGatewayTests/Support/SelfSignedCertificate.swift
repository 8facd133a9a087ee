import Foundation
import NIOSSL

/// A throwaway certificate for `localhost`, made by the `openssl` command.
enum SelfSignedCertificate {
    /// The certificate and its key; nil when `openssl` is not installed.
    static func make() throws -> (NIOSSLCertificate, NIOSSLPrivateKey)? {
        guard let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first(where: FileManager.default.isExecutableFile)
        else { return nil }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tickstream-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", key, "-out", certificate,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        guard let first = try NIOSSLCertificate.fromPEMFile(certificate).first else { return nil }
        return (first, try NIOSSLPrivateKey(file: key, format: .pem))
    }
}
