import ArgumentParser
import Foundation
import TickstreamAccess

/// The secret that signs access tokens: from a flag, the environment or a file (a file keeps it out of `ps`).
struct TokenSecretOptions: ParsableArguments {
    @Option(name: .customLong("token-secret"), help: "Secret (32+ bytes) signing access tokens. Env: TICKSTREAM_TOKEN_SECRET.")
    var secretFlag: String?

    @Option(help: "File holding the token secret (surrounding whitespace ignored). Env: TICKSTREAM_TOKEN_SECRET_FILE.")
    var tokenSecretFile: String?

    /// The tokens' authority, or nil when no secret was given.
    func authority() throws -> TokenAuthority? {
        let secret: String
        if let flag = secretFlag ?? Environment.value("TOKEN_SECRET") {
            secret = flag
        } else if let path = tokenSecretFile ?? Environment.value("TOKEN_SECRET_FILE") {
            do {
                secret = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw ValidationError("cannot read the token secret file \(path): \(error)")
            }
        } else {
            return nil
        }
        do {
            return try TokenAuthority(secret: Array(secret.utf8))
        } catch {
            throw ValidationError(error.detail)
        }
    }
}
