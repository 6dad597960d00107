import Foundation
import MMSCore
import MMSICalendar

/// Between a calendar object resource (an iCalendar `VCALENDAR` with one event series) and the
/// engine's ``MailboxMeeting``: reading it, rewriting it for a migration, and building a new one.
enum ResourceMapping {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// The join properties that point to an online meeting (besides the bodies).
    static let joinURLProperties = ["X-MICROSOFT-SKYPETEAMSMEETINGURL", "X-MICROSOFT-ONLINEMEETINGCONFLINK", "CONFERENCE"]
    /// The TEXT join properties in which only the URL text is replaced.
    static let joinTextProperties = ["LOCATION", "X-MICROSOFT-ONLINEMEETINGINFORMATION"]

    static func parse(_ bytes: [UInt8]) throws(Problem) -> ICalendarResource {
        do {
            return try ICalendarResource(parsing: bytes)
        } catch {
            throw Problem(description: "not valid iCalendar (\(error.description))")
        }
    }

    /// The series a resource holds: the one with a master, else the first.
    static func series(in resource: ICalendarResource) throws(Problem) -> EventSeries {
        let all = EventSeries.series(in: resource)
        guard let series = all.first(where: { $0.master != nil }) ?? all.first else { throw Problem(description: "it holds no VEVENT") }
        return series
    }

    /// The addresses a user organises meetings as: the principal name and the SIP address's
    /// `user@host` (the directory's other address for them).
    static func addresses(of user: User) -> [String] {
        var addresses = [user.userPrincipalName]
        let sip = user.sipAddress
        if sip.lowercased().hasPrefix("sip:") { addresses.append(String(sip.dropFirst(4))) }
        return addresses
    }

    /// The meeting a resource holds, or nil when its ORGANIZER is none of `organizerAddresses` (when
    /// given) or it has no occurrence ending after `now` (when given).
    static func meeting(
        from bytes: [UInt8], location: String, etag: String, tenant: TenantID, organizerID: UserID, organizerAddresses: [String]?, now: Date?
    ) throws(Problem) -> MailboxMeeting? {
        let resource = try parse(bytes)
        let series = try series(in: resource)
        guard let main = series.master ?? series.overrides.first else { throw Problem(description: "it holds no VEVENT") }
        guard let uid = series.uid, !uid.isEmpty else { throw Problem(description: "its VEVENT has no UID") }
        let organizer = main.property(named: "ORGANIZER")?.mailtoAddress
        if let organizerAddresses {
            guard let organizer, organizerAddresses.contains(where: { MailAddress.key($0) == MailAddress.key(organizer) }) else { return nil }
        }
        let timeZones = TimeZoneResolver(resource: resource)
        let reference = now ?? Date()
        do {
            if now != nil, try !series.hasOccurrence(after: reference, timeZones: timeZones) { return nil }
        } catch {
            throw Problem(description: "its dates or recurrence cannot be read (\(error.description))")
        }
        var start: Date
        var end: Date
        do {
            let upcoming = try series.occurrences(maximumCount: 5_000, timeZones: timeZones)
                .filter { $0.end > reference }
                .min { $0.start < $1.start }
            if let upcoming {
                (start, end) = (upcoming.start, upcoming.end)
            } else {
                guard let dtstart = main.property(named: "DTSTART") else { throw Problem(description: "its VEVENT has no DTSTART") }
                start = try timeZones.date(for: try dtstart.dateTimeValue())
                end = start
                if let dtend = main.property(named: "DTEND") { end = try timeZones.date(for: try dtend.dateTimeValue()) }
            }
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(description: "its dates cannot be read (\(error))")
        }
        let (body, format) = body(of: main)
        let attendees = main.properties(named: "ATTENDEE").compactMap(\.mailtoAddress)
        let meeting = CalendarMeeting(
            id: MeetingID(uid), tenant: tenant, organizer: organizerID,
            attendees: MailAddress.distinct(attendees, excluding: organizer ?? organizerAddresses?.first),
            start: start, end: end,
            subject: main.property(named: "SUMMARY")?.textValue ?? "",
            body: body, bodyFormat: format, attachments: attachments(of: main),
            kind: InvitationBlock.find(in: body, format: format).first?.kind ?? .teams,
            createdThroughService: true,
            version: Int(main.property(named: "SEQUENCE")?.value.trimmingCharacters(in: .whitespaces) ?? "") ?? 0)
        return MailboxMeeting(meeting: meeting, revision: etag, location: location, resource: bytes)
    }

    /// The HTML body (`X-ALT-DESC;FMTTYPE=text/html`) when there is one, else the plain DESCRIPTION.
    static func body(of component: Component) -> (String, BodyFormat) {
        if let html = htmlProperty(of: component) { return (html.textValue, .html) }
        return (component.property(named: "DESCRIPTION")?.textValue ?? "", .plainText)
    }

    static func htmlProperty(of component: Component) -> Property? {
        component.properties(named: "X-ALT-DESC").first { $0.parameterValue(named: "FMTTYPE")?.lowercased() == "text/html" }
    }

    static func attachments(of component: Component) -> [Attachment] {
        component.properties(named: "ATTACH").compactMap { property in
            guard property.parameterValue(named: "ENCODING")?.uppercased() == "BASE64",
                  let content = Data(base64Encoded: property.value.trimmingCharacters(in: .whitespaces), options: .ignoreUnknownCharacters)
            else { return nil }
            let name = property.parameterValue(named: "X-FILENAME") ?? property.parameterValue(named: "FILENAME") ?? "attachment"
            return Attachment(name: name, contentType: property.parameterValue(named: "FMTTYPE") ?? "application/octet-stream", content: content)
        }
    }

    /// `20261201T223000Z`.
    static func utcStamp(_ date: Date) -> String {
        DateTimeValue(LocalDateTime(secondsSinceEpochAsUTC: Int(date.timeIntervalSince1970.rounded(.down))), reference: .utc).description
    }

    // MARK: Rewriting

    /// The properties ``rewrite(_:uid:rewrite:now:)`` sets to the time of the write.
    static let stampedProperties = ["DTSTAMP", "LAST-MODIFIED"]

    /// The resource with `uid`'s master and overridden instances migrated: bodies through
    /// `rewrite.body`, join properties naming the old meeting pointed at the new one, SEQUENCE + 1,
    /// DTSTAMP and LAST-MODIFIED now. Every other line keeps its bytes.
    static func rewrite(_ bytes: [UInt8], uid: String, rewrite: MailboxRewrite, now: Date) throws(Problem) -> [UInt8] {
        var resource = try parse(bytes)
        func isSeries(_ component: Component) -> Bool {
            component.property(named: "UID")?.value.trimmingCharacters(in: .whitespaces) == uid
        }
        let events = resource.allComponents(named: "VEVENT").filter(isSeries)
        guard !events.isEmpty else { throw Problem(description: "it no longer holds the event \(uid)") }
        // The old meeting's join URLs: every block in every body of the series.
        var oldURLs = Set<String>()
        if let source = rewrite.source { oldURLs.insert(source.joinURL) }
        for event in events {
            if let text = event.property(named: "DESCRIPTION")?.textValue {
                for block in InvitationBlock.find(in: text, format: .plainText) { oldURLs.insert(block.joinURL) }
            }
            if let html = htmlProperty(of: event)?.textValue {
                for block in InvitationBlock.find(in: html, format: .html) { oldURLs.insert(block.joinURL) }
            }
        }
        oldURLs.remove(rewrite.target.joinURL)
        oldURLs.remove("")
        let target = rewrite.target.joinURL
        let stamp = utcStamp(now)
        let urls = oldURLs.sorted { $0.count > $1.count }
        func replacingURLs(_ text: String) -> String {
            var result = text
            for url in urls { result = result.replacingOccurrences(of: url, with: target) }
            return result
        }
        resource.modifyComponents(named: "VEVENT") { event in
            guard isSeries(event) else { return }
            let isMaster = event.property(named: "RECURRENCE-ID") == nil
            var changed = false
            event.modifyProperties(named: "DESCRIPTION") { property in
                let text = property.textValue
                let new = rewrite.body(text, .plainText)
                if new != text { property.textValue = new; changed = true }
            }
            event.modifyProperties(named: "X-ALT-DESC") { property in
                guard property.parameterValue(named: "FMTTYPE")?.lowercased() == "text/html" else { return }
                let html = property.textValue
                let new = rewrite.body(html, .html)
                if new != html { property.textValue = new; changed = true }
            }
            for name in joinTextProperties {
                event.modifyProperties(named: name) { property in
                    let text = property.textValue
                    let new = replacingURLs(text)
                    if new != text { property.textValue = new; changed = true }
                }
            }
            for name in joinURLProperties {
                event.modifyProperties(named: name) { property in
                    let value = property.value
                    guard urls.contains(where: { value.contains($0) }) else { return }
                    property.value = target
                    changed = true
                }
            }
            guard changed || isMaster else { return }
            let sequence = Int(event.property(named: "SEQUENCE")?.value.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
            event.setValue(String(sequence + 1), forProperty: "SEQUENCE")
            event.setValue(stamp, forProperty: "DTSTAMP")
            event.setValue(stamp, forProperty: "LAST-MODIFIED")
        }
        return resource.serializedBytes()
    }

    // MARK: A new resource

    /// A new calendar object for `meeting` (`mms meeting add`). An HTML meeting's body goes into
    /// `X-ALT-DESC;FMTTYPE=text/html` and, as written, into DESCRIPTION too.
    static func newResource(for meeting: CalendarMeeting, organizerAddress: String, now: Date) -> [UInt8] {
        var properties = [
            Property(name: "UID", value: meeting.id.rawValue),
            Property(name: "DTSTAMP", value: utcStamp(now)),
            Property(name: "DTSTART", value: utcStamp(meeting.start)),
            Property(name: "DTEND", value: utcStamp(meeting.end)),
            Property(name: "SEQUENCE", value: "0"),
            Property(name: "SUMMARY", value: TextEscaping.escape(meeting.subject)),
            Property(name: "DESCRIPTION", value: TextEscaping.escape(meeting.body)),
        ]
        if meeting.bodyFormat == .html {
            properties.append(Property(name: "X-ALT-DESC", parameters: [Parameter(name: "FMTTYPE", value: "text/html")], value: TextEscaping.escape(meeting.body)))
        }
        properties.append(Property(name: "ORGANIZER", value: CalendarAddress.calendarAddress(forEmailAddress: organizerAddress)))
        for attendee in MailAddress.distinct(meeting.attendees, excluding: organizerAddress) {
            properties.append(Property(
                name: "ATTENDEE", parameters: [Parameter(name: "RSVP", value: "TRUE")], value: CalendarAddress.calendarAddress(forEmailAddress: attendee)))
        }
        for attachment in meeting.attachments {
            properties.append(Property(
                name: "ATTACH",
                parameters: [
                    Parameter(name: "FMTTYPE", value: attachment.contentType), Parameter(name: "ENCODING", value: "BASE64"),
                    Parameter(name: "VALUE", value: "BINARY"), Parameter(name: "X-FILENAME", value: attachment.name),
                ],
                value: attachment.content.base64EncodedString()))
        }
        let event = Component(name: "VEVENT", properties: properties)
        let calendar = Component(
            name: "VCALENDAR",
            properties: [Property(name: "VERSION", value: "2.0"), Property(name: "PRODID", value: "-//Meeting Migration Service//mms-server//EN")],
            components: [event])
        var resource = ICalendarResource(lineEnding: .crlf)
        resource.addComponent(calendar)
        return resource.serializedBytes()
    }
}
