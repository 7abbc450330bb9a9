import Testing

@Suite struct PartnerClientPlaceholderTests {}
