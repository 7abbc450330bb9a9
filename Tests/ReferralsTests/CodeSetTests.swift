import Testing

@testable import Referrals

@Suite struct CodeSetTests {
    /// The bit table must answer exactly as the `Set` it stands for, whatever the text.
    @Test func answersAsTheSetDoesForAnyText() {
        var texts = ["", "U", "US", "us", "uS", "USA", "USD", "usd", " US", "US ", "ZZ", "AA", "ZW", "ZWL", "EUR", "EURO", "É", "ÉU"]
        // A Kelvin sign is a K to Swift's `==` (canonical equivalence): the Set finds KE and KES.
        texts += ["\u{212A}E", "\u{212A}ES", "K\u{0301}E", "U\u{0000}", "\u{FF35}\u{FF33}"]
        for first in UInt8(ascii: "@")...UInt8(ascii: "[") {
            for second in UInt8(ascii: "@")...UInt8(ascii: "[") {
                texts.append(String(decoding: [first, second], as: UTF8.self))
                texts.append(String(decoding: [first, second, UInt8(ascii: "D")], as: UTF8.self))
            }
        }
        for text in texts {
            #expect(CountryCodes.isValid(text) == CountryCodes.all.contains(text), "\(text.debugDescription)")
            #expect(CurrencyCodes.isValid(text) == CurrencyCodes.all.contains(text), "\(text.debugDescription)")
        }
        #expect(CountryCodes.isValid("\u{212A}E") && CurrencyCodes.isValid("\u{212A}ES"))
        #expect(CountryCodes.normalized(" gb") == "GB" && CurrencyCodes.normalized("usd ") == "USD")
    }

    @Test func aSetWithACodeOfAnotherShapeUsesTheSetForEveryLookup() {
        let odd = CodeSet(["AB", "a1"], length: 2)
        #expect(odd.contains("AB") && odd.contains("a1") && !odd.contains("A1") && !odd.contains("ab"))
    }
}
