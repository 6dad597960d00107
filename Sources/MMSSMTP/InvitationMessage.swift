import Foundation
import MMSCore
import MMSMIME

/// The iMIP message of an invitation (RFC 6047): `multipart/mixed` holding a
/// `multipart/alternative` (text/plain, and text/html for an HTML meeting), the
/// `text/calendar; method=REQUEST` part, then the attachments byte for byte.
public enum InvitationMessage {
    /// The `Message-ID` of `invitation`, without angle brackets: its outbox id made safe for the
    /// header, `@` the sender's domain. The same on every resend, which is what lets a receiving
    /// system (and our outcome table) recognise a resend.
    public static func messageId(for invitation: OutgoingInvitation, senderAddress: String) -> String {
        let domain = senderAddress.split(separator: "@").last.map(String.init) ?? "mms.invalid"
        var local = ""
        for scalar in invitation.id.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-.".unicodeScalars.contains(scalar) {
                local.unicodeScalars.append(scalar)
            } else {
                for byte in String(scalar).utf8 { local += "=" + String(byte, radix: 16, uppercase: true) }
            }
        }
        let safeDomain = domain.unicodeScalars.allSatisfy { $0.isASCII } ? domain : "mms.invalid"
        return "mms." + local + "@" + safeDomain
    }

    /// The message's bytes (CRLF line ends, every body part base64: M8 asks for the body byte for
    /// byte, and a stored body may mix line endings, which quoted-printable would change).
    ///
    /// - Parameters:
    ///   - invitation: what to send.
    ///   - senderAddress: the service's address (`Sender:`, SENT-BY).
    ///   - now: `Date:` and DTSTAMP.
    ///   - calendarFrom: the invitation the VEVENT lists (its attendees), when `invitation`'s
    ///     recipients were cut down for the headers (an address the transport cannot carry).
    public static func build(
        for invitation: OutgoingInvitation, senderAddress: String, now: Date, calendarFrom: OutgoingInvitation? = nil
    ) -> [UInt8] {
        let plainText = invitation.bodyFormat == .html ? PlainTextRendering.text(ofHTML: invitation.body) : invitation.body
        // A calendar server's meeting sends its own rewritten resource; a built-in one is written here.
        let calendar = invitation.calendarResource.flatMap {
            BuiltInMeetingCalendar.request(resource: $0, serviceAddress: senderAddress, stamp: now)
        } ?? BuiltInMeetingCalendar.request(
            for: calendarFrom ?? invitation, serviceAddress: senderAddress, plainText: plainText, stamp: now)
        var alternatives: [MIMEPart] = [.text("plain", plainText, encoding: .base64)]
        if invitation.bodyFormat == .html { alternatives.append(.text("html", invitation.body, encoding: .base64)) }
        var parts: [MIMEPart] = [
            .multipart(subtype: "alternative", parts: alternatives),
            .leaf(
                contentType: "text/calendar; method=REQUEST; charset=UTF-8", headers: [], encoding: .base64,
                content: calendar.serializedBytes()),
        ]
        for attachment in invitation.attachments {
            parts.append(.attachment(fileName: attachment.name, contentType: attachment.contentType, content: Array(attachment.content)))
        }
        let messageId = messageId(for: invitation, senderAddress: senderAddress)
        let headers = [
            MIMEHeaderField("From", HeaderText.mailbox(displayName: nil, address: invitation.organizerPrincipalName)),
            MIMEHeaderField("Sender", HeaderText.mailbox(displayName: "Meeting Migration Service", address: senderAddress)),
            MIMEHeaderField(
                "To", invitation.recipients.map { HeaderText.mailbox(displayName: nil, address: $0) }.joined(separator: ", ")),
            MIMEHeaderField("Subject", HeaderText.unstructured(invitation.subject)),
            MIMEHeaderField("Date", rfc5322Date(now)),
            MIMEHeaderField("Message-ID", "<\(messageId)>"),
            MIMEHeaderField("Content-Class", "urn:content-classes:calendarmessage"),
        ]
        let message = MIMEMessage(headers: headers, body: .multipart(subtype: "mixed", parts: parts))
        return message.serialized(boundarySeed: String(invitation.id.hashValue.magnitude, radix: 36) + String(UInt32.random(in: .min ... .max), radix: 36))
    }

    /// A plain test message for `mms tenant mail test`.
    public static func test(from senderAddress: String, to recipient: String, now: Date, id: String) -> [UInt8] {
        let message = MIMEMessage(
            headers: [
                MIMEHeaderField("From", HeaderText.mailbox(displayName: "Meeting Migration Service", address: senderAddress)),
                MIMEHeaderField("To", HeaderText.mailbox(displayName: nil, address: recipient)),
                MIMEHeaderField("Subject", "Meeting Migration Service: test message"),
                MIMEHeaderField("Date", rfc5322Date(now)),
                MIMEHeaderField("Message-ID", "<mms.test.\(id)@\(senderAddress.split(separator: "@").last ?? "mms.invalid")>"),
            ],
            body: .text(
                "plain",
                "This message was sent by `mms tenant mail test`: the Meeting Migration Service can deliver invitations through this relay.\r\n"))
        return message.serialized(boundarySeed: id)
    }

    /// `Tue, 01 Dec 2026 22:11:09 +0000` (RFC 5322 section 3.3), in UTC.
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}

/// The plain-text alternative of an HTML body: tags dropped, block ends as line breaks, the
/// common entities decoded. Only for the text/plain part and DESCRIPTION; the HTML part is the
/// body itself.
enum PlainTextRendering {
    static func text(ofHTML html: String) -> String {
        var out = ""
        var tag = ""
        var inTag = false
        for character in html {
            if inTag {
                if character == ">" {
                    inTag = false
                    let name = tag.lowercased().split(whereSeparator: { $0 == " " || $0 == "/" || $0 == "\t" }).first ?? ""
                    if ["br", "p", "div", "tr", "li", "h1", "h2", "h3"].contains(String(name)) && !out.hasSuffix("\r\n") { out += "\r\n" }
                    tag = ""
                } else {
                    tag.append(character)
                }
            } else if character == "<" {
                inTag = true
            } else if character != "\r" && character != "\n" && character != "\r\n" {
                out.append(character)
            } else if !out.hasSuffix(" ") && !out.hasSuffix("\r\n") && !out.isEmpty {
                out += " "
            }
        }
        for (entity, text) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: entity, with: text)
        }
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
