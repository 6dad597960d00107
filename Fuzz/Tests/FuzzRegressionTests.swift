import Foundation
import Testing

/// Replays every committed fuzz input, the seed corpus (Fuzz/Corpus) and the minimised crashes
/// (Fuzz/Regressions), through the same properties the fuzz targets check (Fuzz/Targets), so
/// `swift test` keeps every bug the fuzzer found fixed. Fuzz/README.md says how inputs get here.
@Suite("Fuzz corpus and regression inputs")
struct FuzzRegressionTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    /// Every input of `target`: (folder/name, bytes).
    static func inputs(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        var result: [(name: String, bytes: [UInt8])] = []
        for folder in ["Corpus", "Regressions"] {
            let directory = fuzzDirectory.appendingPathComponent(folder).appendingPathComponent(target)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") {
                let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
                result.append(("\(folder)/\(target)/\(name)", bytes))
            }
        }
        return result
    }

    static func replay(_ target: String, _ check: ([UInt8]) throws(PropertyFailure) -> Void) throws {
        let inputs = try inputs(target)
        #expect(inputs.count >= 3, "Fuzz/Corpus/\(target) holds the seeds (python3 Fuzz/make-seeds.py)")
        for input in inputs {
            do throws(PropertyFailure) {
                try check(input.bytes)
            } catch {
                Issue.record("\(input.name): \(error)")
            }
        }
    }

    @Test("frame: decoder events and payloads round-trip byte for byte")
    func frame() throws { try Self.replay(FrameFuzz.name, FrameFuzz.check) }

    @Test("messages: every request message decodes, re-encodes and decodes to itself")
    func messages() throws { try Self.replay(MessagesFuzz.name, MessagesFuzz.check) }

    @Test("invitation: find, replace and append keep every byte outside the block (M3)")
    func invitation() throws { try Self.replay(InvitationFuzz.name, InvitationFuzz.check) }

    @Test("icalendar: parse and write back byte for byte; edits keep other lines (R4)")
    func icalendar() throws { try Self.replay(ICalendarFuzz.name, ICalendarFuzz.check) }

    @Test("mime: messages are transport-safe and read back to their inputs")
    func mime() throws { try Self.replay(MIMEFuzz.name, MIMEFuzz.check) }

    @Test("smtp-reply: the decoder agrees with a byte-level model, whole and in pieces")
    func smtpReply() throws { try Self.replay(SMTPReplyFuzz.name, SMTPReplyFuzz.check) }

    @Test("multistatus: bodies parse or are refused; parsed ones round-trip")
    func multistatus() throws { try Self.replay(MultistatusFuzz.name, MultistatusFuzz.check) }

    @Test("Every regression input the fuzzer found is kept, one folder per target")
    func regressionsAreKept() throws {
        let regressions = Self.fuzzDirectory.appendingPathComponent("Regressions")
        let targets = try FileManager.default.contentsOfDirectory(atPath: regressions.path).sorted()
        let known = [FrameFuzz.name, MessagesFuzz.name, InvitationFuzz.name, ICalendarFuzz.name, MIMEFuzz.name, SMTPReplyFuzz.name, MultistatusFuzz.name]
        for target in targets { #expect(known.contains(target), "Fuzz/Regressions/\(target) is not a fuzz target") }
        #expect(try Self.inputs(SMTPReplyFuzz.name).contains { $0.name.hasPrefix("Regressions/") })
        #expect(try Self.inputs(MultistatusFuzz.name).filter { $0.name.hasPrefix("Regressions/") }.count >= 2)
    }
}
