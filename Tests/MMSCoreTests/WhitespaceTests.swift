import Foundation
import MMSCore
import Testing

@Suite("Text: trimming whitespace without Foundation")
struct WhitespaceTests {
    @Test(
        "trimmingWhitespace() trims exactly what Foundation's trimmingCharacters(in: .whitespaces) trims",
        arguments: [
            "", " ", "\t", "ann@contoso.com", "  ann@contoso.com", "ann@contoso.com \t", " \u{00A0}ann\u{2003}@x.com\u{3000} ",
            "\u{00A0}", "a b", "\nann\n", " \r\nann", "\u{200B}ann\u{200B}", "\u{FEFF}ann", "é ", " e\u{0301}", "👩🏽‍💻 ",
            "\u{1680}x\u{202F}", "\u{205F}\u{2000}\u{200A}",
        ])
    func sameAsFoundation(_ text: String) {
        #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces))
    }

    @Test("every Unicode scalar is whitespace for trimmingWhitespace() exactly when CharacterSet.whitespaces holds it")
    func everyScalar() {
        var differing: [String] = []
        for value in UInt32(0)..<0x11_0000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(Character(scalar)) + "x"
            if (text.trimmingWhitespace() == "x") != CharacterSet.whitespaces.contains(scalar) { differing.append(String(value, radix: 16)) }
        }
        #expect(differing.isEmpty, "scalars trimmed differently: \(differing.prefix(20))")
    }
}
