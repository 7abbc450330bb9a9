import Testing

@Suite struct LedgerPlaceholderTests {}
