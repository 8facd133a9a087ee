/// Why a token was refused; the connection is answered 401 before the upgrade.
public struct TokenError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case missing
        case malformed
        case unsupportedAlgorithm
        case badSignature
        case expired
        case invalidClaims
    }

    private let code: Code
    /// What was wrong, for logs.
    public let detail: String

    private init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The connection presented no token.
    public static var missing: Self { .init(.missing, "no token") }
    /// Not three base64url parts of JSON.
    public static func malformed(_ detail: String) -> Self { .init(.malformed, detail) }
    /// The header names an algorithm other than HS256 (`none` included).
    public static func unsupportedAlgorithm(_ algorithm: String) -> Self {
        .init(.unsupportedAlgorithm, "algorithm \(algorithm) is not HS256")
    }
    /// The signature is not the secret's: a forged or altered token.
    public static var badSignature: Self { .init(.badSignature, "bad signature") }
    /// `exp` has passed.
    public static func expired(at expiry: Int64) -> Self { .init(.expired, "expired at \(expiry)") }
    /// A claim is missing or out of range.
    public static func invalidClaims(_ detail: String) -> Self { .init(.invalidClaims, detail) }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    public var description: String { "token refused: \(detail)" }
}
