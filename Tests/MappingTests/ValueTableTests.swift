import Testing

@testable import Mapping

/// `ValueTable` answers as the dictionary it is made from, for every text.
@Suite struct ValueTableTests {
    static let map = ["united states": "US", "españa": "ES", "k": "kelvin", "\u{212B}": "angstrom", "a b": "AB"]

    @Test(arguments: [
        "united states", "United States", "  UNITED states\t", "españa", "ESPAÑA", "Espan\u{0303}a", "K", "\u{212A}", "k ",
        "\u{00C5}", "A\u{030A}", "a b", " A B ", "a  b", "", " ", "uk", "united states ", "\r\nk\r\n",
    ])
    func answersAsTheDictionary(text: String) {
        let table = ValueTable(Self.map)
        #expect(table.value(for: text) == Self.map[text])
        #expect(table.value(forFolded: text) == Self.map[FastText.lowered(FastText.trimmed(text))])
    }
}
