@testable import MMSSMTP
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

/// The reply decoder, fed every way the bytes can be split (ByteToMessageDecoderVerifier).
@Suite("SMTP reply decoder")
struct SMTPReplyDecoderTests {
    @Test("Multi-line replies become one reply; CRLF removed; enhanced status codes read")
    func decodes() throws {
        try ByteToMessageDecoderVerifier.verifyDecoder(
            stringInputOutputPairs: [
                ("220 mx.example ESMTP\r\n", [SMTPReply(code: 220, lines: ["mx.example ESMTP"])]),
                ("250-mx.example\r\n250-PIPELINING\r\n250 SMTPUTF8\r\n",
                 [SMTPReply(code: 250, lines: ["mx.example", "PIPELINING", "SMTPUTF8"])]),
                ("550 5.1.1 <x@y>: no such user\r\n451 4.7.1 later\n",
                 [SMTPReply(code: 550, enhancedCode: "5.1.1", lines: ["5.1.1 <x@y>: no such user"]),
                  SMTPReply(code: 451, enhancedCode: "4.7.1", lines: ["4.7.1 later"])]),
                ("250 2.0.0\r\n", [SMTPReply(code: 250, enhancedCode: "2.0.0", lines: ["2.0.0"])]),
                // A class that does not match the code is no enhanced code.
                ("250 5.0.0 odd\r\n", [SMTPReply(code: 250, lines: ["5.0.0 odd"])]),
            ],
            decoderFactory: { SMTPReplyDecoder() })
    }

    @Test("A line that is not a reply, or a code changing inside a multi-line reply, is an error")
    func refusesGarbage() {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(SMTPReplyDecoder()))
        #expect(throws: SMTPError.self) { try channel.writeInbound(ByteBuffer(string: "hello\r\n")) }
        let other = EmbeddedChannel(handler: ByteToMessageHandler(SMTPReplyDecoder()))
        #expect(throws: SMTPError.self) { try other.writeInbound(ByteBuffer(string: "250-a\r\n251 b\r\n")) }
    }

    @Test("The code and the text are cut at bytes: a combining mark or a bad byte after the code loses nothing (Fuzz/Regressions/smtp-reply)")
    func cutsAtBytes() throws {
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [
                // A combining mark right after the separator used to fuse with it into one Character, and was dropped.
                (ByteBuffer(string: "250 \u{301}ok\r\n"), [SMTPReply(code: 250, lines: ["\u{301}ok"])]),
                // The fuzzer's input: an invalid byte after "672"; the text keeps its replacement character.
                (ByteBuffer(bytes: Array("672".utf8) + [0xE4, 0xA4, 0x0A]), [SMTPReply(code: 672, lines: ["\u{FFFD}"])]),
                // A combining mark on the last digit used to hide the code; its second byte is text now.
                (ByteBuffer(string: "25\u{30}\u{301} x\r\n"), [SMTPReply(code: 250, lines: ["\u{FFFD} x"])]),
            ],
            decoderFactory: { SMTPReplyDecoder() })
    }

    @Test("The EHLO keywords of a reply, upper-cased, parameters kept")
    func extensions() {
        let reply = SMTPReply(code: 250, lines: ["localhost", "SIZE 33554432", "PIPELINING", "auth plain LOGIN"])
        #expect(reply.extensions == ["SIZE": "33554432", "PIPELINING": "", "AUTH": "plain LOGIN"])
    }
}
