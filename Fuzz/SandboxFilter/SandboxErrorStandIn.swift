/// Stand-in for Sources/Sandbox/SandboxError.swift, which needs Hummingbird: the parser only makes
/// its errors through `invalidRequest`, so this lets ListQuery.swift compile alone.
struct SandboxError: Error, Sendable {
    var message: String
    var target: String?

    static func invalidRequest(_ message: String, target: String? = nil) -> SandboxError {
        SandboxError(message: message, target: target)
    }
}
