import Foundation
import MMSMIME
import Testing

/// The MIME builder on its own: encodings give the bytes back, headers stay within RFC 5322's limits.
@Suite("MIME")
struct MIMETests {
    static func decodeQuotedPrintable(_ encoded: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: byte - 48
            case 65...70: byte - 55
            default: nil
            }
        }
        while index < encoded.count {
            let byte = encoded[index]
            if byte == UInt8(ascii: "=") {
                if index + 2 < encoded.count, encoded[index + 1] == 13, encoded[index + 2] == 10 { index += 3; continue }
                if index + 2 < encoded.count, let high = hex(encoded[index + 1]), let low = hex(encoded[index + 2]) {
                    out.append(high << 4 | low)
                    index += 3
                    continue
                }
            }
            out.append(byte)
            index += 1
        }
        return out
    }

    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 13 && bytes[index + 1] == 10 {
                result.append(bytes[start..<index])
                start = index + 2
                index += 2
            } else {
                index += 1
            }
        }
        return result
    }

    /// Byte strings with a name, so a failing case says which.
    struct Sample: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var testDescription: String { name }
    }

    static let samples: [Sample] = [
        Sample(name: "empty", bytes: []),
        Sample(name: "ASCII", bytes: Array("plain ascii".utf8)),
        Sample(name: "Unicode, CRLF, bare LF and CR, a leading dot, trailing spaces",
               bytes: Array("café 会議 👩🏽‍💻\r\nsecond line \r\n.dot\n bare LF\r bare CR\r\n\r\n".utf8)),
        Sample(name: "2000 octets without a line break", bytes: Array(String(repeating: "x", count: 2000).utf8)),
        Sample(name: "non-ASCII ending in space and tab", bytes: Array(String(repeating: "é", count: 500).utf8) + [32, 9]),
        Sample(name: "every byte value", bytes: (0...255).map { UInt8($0) }),
    ]

    @Test("Base64 gives the bytes back, in CRLF lines of 76 characters", arguments: samples)
    func base64(_ sample: Sample) {
        let bytes = sample.bytes
        let encoded = Base64Lines.encode(bytes)
        let lines = Self.lines(encoded)
        #expect(lines.dropLast().allSatisfy { $0.count == 76 })
        #expect(lines.allSatisfy { $0.count <= 76 })
        let joined = lines.flatMap { $0 }
        #expect(Data(base64Encoded: Data(joined)).map(Array.init) == bytes)
    }

    @Test("Quoted-printable gives the bytes back, every line at most 76 characters, ending in CRLF", arguments: samples)
    func quotedPrintable(_ sample: Sample) {
        let bytes = sample.bytes
        let encoded = QuotedPrintable.encode(bytes)
        #expect(Self.lines(encoded).allSatisfy { $0.count <= 76 })
        #expect(encoded.isEmpty || encoded.suffix(2) == [13, 10])
        #expect(!encoded.contains { $0 >= 128 })
        // No bare CR or LF: every one is part of a CRLF.
        let withoutLineEnds = Self.lines(encoded).flatMap { $0 }
        #expect(!withoutLineEnds.contains(13) && !withoutLineEnds.contains(10))
        #expect(Self.decodeQuotedPrintable(encoded) == bytes)
    }

    @Test("RFC 2047: a non-ASCII subject becomes encoded-words of at most 75 characters that decode to it")
    func encodedWords() {
        let subject = "Revue trimestrielle – 会議の議題 · 👩🏽‍💻🇫🇷 " + String(repeating: "é", count: 80)
        let encoded = HeaderText.unstructured(subject)
        let words = encoded.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        var decoded: [UInt8] = []
        for word in words {
            #expect(word.utf8.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            let payload = word.dropFirst(10).dropLast(2)
            decoded += Data(base64Encoded: String(payload)).map(Array.init) ?? []
        }
        #expect(String(decoding: decoded, as: UTF8.self) == subject)
        #expect(HeaderText.unstructured("Weekly sync") == "Weekly sync")
    }

    @Test("Display names: ASCII quoted, others encoded; parameters RFC 2231 when not ASCII")
    func mailboxesAndParameters() {
        #expect(HeaderText.mailbox(displayName: "Alice \"A\" Smith", address: "a@x.test") == "\"Alice \\\"A\\\" Smith\" <a@x.test>")
        #expect(HeaderText.mailbox(displayName: "Jörg", address: "j@x.test") == "=?UTF-8?B?SsO2cmc=?= <j@x.test>")
        #expect(HeaderText.mailbox(displayName: nil, address: "j@x.test") == "<j@x.test>")
        #expect(HeaderText.parameter("filename", "plan.pdf") == "filename=\"plan.pdf\"")
        #expect(HeaderText.parameter("filename", "é 1.txt") == "filename*=UTF-8''%C3%A9%201.txt")
    }

    @Test("A message: CRLF everywhere, no line over 998 octets, multipart boundaries closed, MIME-Version")
    func message() {
        let longTo = (0..<200).map { "<person\($0)@example.com>" }.joined(separator: ", ")
        let message = MIMEMessage(
            headers: [MIMEHeaderField("To", longTo), MIMEHeaderField("Subject", HeaderText.unstructured(String(repeating: "ü", count: 600)))],
            body: .multipart(subtype: "mixed", parts: [
                .multipart(subtype: "alternative", parts: [.text("plain", "a\nb"), .text("html", "<p>a</p>", encoding: .base64)]),
                .attachment(fileName: "x.bin", contentType: "application/octet-stream", content: [0, 1, 2]),
            ]))
        let bytes = message.serialized(boundarySeed: "seed")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(bytes.suffix(2) == [13, 10])
        let lines = Self.lines(bytes)
        #expect(lines.allSatisfy { $0.count <= 998 })
        #expect(!lines.flatMap { $0 }.contains(10))
        #expect(text.contains("MIME-Version: 1.0\r\n"))
        #expect(text.contains("--=_mms_1_seed--\r\n"))
        #expect(text.contains("--=_mms_2_seed--\r\n"))
        #expect(text.contains("Content-Disposition: attachment; filename=\"x.bin\""))
        // The To: field unfolds to the addresses as given.
        let header = text.components(separatedBy: "\r\nSubject:")[0]
        #expect(header.replacingOccurrences(of: "\r\n", with: "") == "To: " + longTo)
    }

    @Test("Header values too long to fold are encoded, not cut by a forced fold (Fuzz/Regressions/mime)")
    func longHeaderValues() {
        // A subject that is one 1,000-byte word: a forced fold would add a space; encoded-words keep it.
        let word = String(repeating: "x", count: 1000)
        let subject = HeaderText.unstructured(word)
        #expect(subject.hasPrefix("=?UTF-8?B?"))
        #expect(subject.components(separatedBy: "\r\n ").allSatisfy { $0.utf8.count <= 75 })
        #expect(HeaderText.unstructured("short subject") == "short subject")
        #expect(HeaderText.mailbox(displayName: word, address: "a@x.test").hasPrefix("=?UTF-8?B?"))

        // A non-ASCII file name of 1,200 encoded bytes: RFC 2231 continuations of at most 60 characters.
        let name = String(repeating: "é", count: 200)
        let parameter = HeaderText.parameter("filename", name)
        let sections = parameter.components(separatedBy: "; ")
        #expect(sections.count > 1)
        #expect(sections.first?.hasPrefix("filename*0*=UTF-8''%C3%A9") == true)
        #expect(sections.enumerated().allSatisfy { $1.hasPrefix("filename*\($0)*=") })
        let encoded = sections.map { $0.split(separator: "=", maxSplits: 1)[1] }.joined().replacingOccurrences(of: "UTF-8''", with: "")
        #expect(encoded.removingPercentEncoding == name)
        #expect(HeaderText.parameter("filename", "é 1.txt") == "filename*=UTF-8''%C3%A9%201.txt")

        // Written into a message, every line stays under 998 octets and none is only white space.
        // Long words with several spaces between: folds never leave a line of only spaces.
        let spaced = HeaderText.unstructured(String(repeating: "x", count: 80) + "   " + String(repeating: "y", count: 80))
        let message = MIMEMessage(headers: [MIMEHeaderField("Subject", subject), MIMEHeaderField("X-Spaced", spaced)],
                                  body: .multipart(subtype: "mixed", parts: [
                                      .attachment(fileName: name, contentType: "application/" + word, content: [1, 2, 3]),
                                  ]))
        let text = String(decoding: message.serialized(boundarySeed: "seed"), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 998 })
        #expect(!lines.contains { !$0.isEmpty && $0.allSatisfy { $0 == " " || $0 == "\t" } })
        // A multipart type for an attachment (a leaf) is not used.
        #expect(MIMEPart.attachment(fileName: "a", contentType: "multipart/mixed", content: []) ==
                MIMEPart.attachment(fileName: "a", contentType: "application/octet-stream", content: []))
        // A content type longer than RFC 6838 allows is not used.
        #expect(text.replacingOccurrences(of: "\r\n ", with: " ").contains("Content-Type: application/octet-stream; name*0*=UTF-8''"))
    }
}
