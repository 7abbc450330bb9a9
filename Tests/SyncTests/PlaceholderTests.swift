import Testing

@Suite struct SyncPlaceholderTests {}
