import Testing

@Suite struct MappingPlaceholderTests {}
