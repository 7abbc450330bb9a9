import Testing

@Suite struct ImportersPlaceholderTests {}
