import Testing

@Suite struct SandboxPlaceholderTests {}
