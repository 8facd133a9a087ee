/// How an abusive bot misbehaves, and the close code the gateway must answer with.
package enum AbuseKind: String, Sendable, Hashable, CaseIterable {
    /// Messages that are not `ClientMessage`s: errors first, then close 1007.
    case malformed
    /// One frame over the gateway's frame limit: close 1009.
    case oversized
    /// Inputs far above the rate limit: `THROTTLED` errors, then close 1008.
    case flood

    /// The WebSocket close code the gateway answers with.
    package var expectedCloseCode: Int {
        switch self {
        case .malformed: 1007
        case .oversized: 1009
        case .flood: 1008
        }
    }
}
