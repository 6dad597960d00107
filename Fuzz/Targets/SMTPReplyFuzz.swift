#if !FUZZING
@testable import MMSSMTP
#endif
import NIOCore

/// Target `smtp-reply` (Sources/MMSSMTP/SMTPReply.swift): the decoder of an SMTP server's replies.
///
/// Properties:
/// - **Model.** The replies equal those of a small byte-level model of RFC 5321 §4.2 written here:
///   lines end at LF (CRs before it dropped), three digits then `-` (more lines follow) or
///   anything else (last line), the text after the fourth byte; a code may not change inside a
///   reply; a line over 4096 bytes is refused. The decoder fails exactly where the model does.
/// - **Pieces.** Fed in small pieces, the decoder gives the same replies as fed in one buffer.
/// - **Round trip.** A reply written back as `code-text` / `code text` lines decodes to itself.
enum SMTPReplyFuzz {
    static let name = "smtp-reply"

    struct Outcome: Equatable {
        var replies: [SMTPReply] = []
        var failed = false
    }

    static func check(_ data: [UInt8]) throws(PropertyFailure) {
        var input = FuzzBytes(data)
        let chunkSizes = input.take(3).map { Int($0 % 32) + 1 }
        let bytes = input.rest()
        let whole = decode(bytes, chunkSizes: [])
        let expected = model(bytes)
        try require(whole == expected, "decoder gave \(whole), the model \(expected), for \(describe(bytes))")
        let pieces = decode(bytes, chunkSizes: chunkSizes)
        try require(pieces == whole, "in pieces \(chunkSizes) the decoder gave \(pieces), in one buffer \(whole)")
        for reply in whole.replies {
            var written: [UInt8] = []
            for (index, line) in reply.lines.enumerated() {
                let code = String(reply.code).utf8
                written += Array(repeating: UInt8(ascii: "0"), count: max(0, 3 - code.count)) + code
                written.append(index == reply.lines.count - 1 ? UInt8(ascii: " ") : UInt8(ascii: "-"))
                written += line.utf8 + [13, 10]
            }
            let again = decode(written, chunkSizes: [])
            try require(again == Outcome(replies: [reply]), "\(reply) written back as \(describe(written)) decodes as \(again)")
        }
    }

    static func decode(_ bytes: [UInt8], chunkSizes: [Int]) -> Outcome {
        var decoder = SMTPReplyDecoder()
        var buffer = ByteBuffer()
        var outcome = Outcome()
        var offset = 0
        var chunk = 0
        repeat {
            let size = chunkSizes.isEmpty ? bytes.count : chunkSizes[chunk % chunkSizes.count]
            chunk += 1
            let end = min(bytes.count, offset + size)
            buffer.writeBytes(bytes[offset..<end])
            offset = end
            do {
                while let reply = try decoder.nextReply(from: &buffer) { outcome.replies.append(reply) }
            } catch {
                outcome.failed = true
                return outcome
            }
        } while offset < bytes.count
        return outcome
    }

    /// RFC 5321 §4.2, byte by byte; the enhanced code is the decoder's own helper (it is not the
    /// framing under test).
    static func model(_ bytes: [UInt8]) -> Outcome {
        var outcome = Outcome()
        var code: Int?
        var lines: [String] = []
        var start = 0
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: 10) else {
                if bytes.count - start > SMTPReplyDecoder.maximumLineLength { outcome.failed = true }
                return outcome
            }
            if newline - start + 1 > SMTPReplyDecoder.maximumLineLength + 1 { outcome.failed = true; return outcome }
            var line = Array(bytes[start..<newline])
            start = newline + 1
            while let last = line.last, last == 13 { line.removeLast() }
            guard line.count >= 3, line[0...2].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { outcome.failed = true; return outcome }
            let lineCode = line[0...2].reduce(0) { $0 * 10 + Int($1 - 48) }
            if let code, code != lineCode { outcome.failed = true; return outcome }
            code = lineCode
            lines.append(String(decoding: line.dropFirst(4), as: UTF8.self))
            if line.count > 3, line[3] == UInt8(ascii: "-") { continue }
            outcome.replies.append(SMTPReply(code: lineCode, enhancedCode: SMTPReplyDecoder.enhancedCode(lines[0], code: lineCode), lines: lines))
            code = nil
            lines = []
        }
        return outcome
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do { try SMTPReplyFuzz.check(bytes) } catch { fatalError("property failed: \(error)") }
    return 0
}
#endif
