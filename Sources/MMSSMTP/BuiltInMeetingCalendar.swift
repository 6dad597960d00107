import Foundation
import MMSCore
import MMSICalendar

/// The iCalendar layer of an invitation to a built-in meeting: a `METHOD:REQUEST` VCALENDAR
/// written with MMSICalendar (its content lines, folding and TEXT escaping; none of our own).
///
/// A meeting on a calendar server sends its own rewritten resource instead
/// (``request(resource:serviceAddress:stamp:)``).
public enum BuiltInMeetingCalendar {
    /// The REQUEST of a meeting that lives on a calendar server (R5): its rewritten resource as the
    /// server holds it (same UID, the SEQUENCE the migration wrote, every other line kept), with
    /// `METHOD:REQUEST` on the VCALENDAR, a fresh DTSTAMP and ORGANIZER's `SENT-BY` set to the
    /// service's address in each VEVENT. Nil when the text is not iCalendar.
    public static func request(resource text: String, serviceAddress: String, stamp: Date) -> ICalendarResource? {
        guard var resource = try? ICalendarResource(parsing: text), !resource.allComponents(named: "VEVENT").isEmpty else { return nil }
        resource.modifyComponents(named: "VCALENDAR") { $0.setValue("REQUEST", forProperty: "METHOD") }
        let sentBy = CalendarAddress.calendarAddress(forEmailAddress: serviceAddress)
        resource.modifyComponents(named: "VEVENT") { event in
            event.setValue(utc(stamp), forProperty: "DTSTAMP")
            event.modifyProperties(named: "ORGANIZER") { $0.setParameter("SENT-BY", values: [sentBy]) }
        }
        return resource
    }

    /// The calendar object of `invitation` (RFC 5546 REQUEST, RFC 6047 iMIP).
    ///
    /// - Parameters:
    ///   - invitation: the outbox row: UID is its meeting id, SEQUENCE the migration's.
    ///   - serviceAddress: the service's address, ORGANIZER's `SENT-BY`.
    ///   - plainText: the body as plain text (DESCRIPTION).
    ///   - stamp: DTSTAMP, fresh for every message.
    public static func request(
        for invitation: OutgoingInvitation, serviceAddress: String, plainText: String, stamp: Date
    ) -> ICalendarResource {
        var event = Component(name: "VEVENT")
        event.setValue(invitation.meeting.rawValue, forProperty: "UID")
        event.setValue(String(invitation.sequence ?? 0), forProperty: "SEQUENCE")
        event.setValue(utc(stamp), forProperty: "DTSTAMP")
        event.setValue(utc(invitation.start), forProperty: "DTSTART")
        event.setValue(utc(invitation.end), forProperty: "DTEND")
        event.setTextValue(invitation.subject, forProperty: "SUMMARY")
        event.addProperty(Property(
            name: "ORGANIZER",
            parameters: [Parameter(name: "SENT-BY", value: CalendarAddress.calendarAddress(forEmailAddress: serviceAddress))],
            value: CalendarAddress.calendarAddress(forEmailAddress: invitation.organizerPrincipalName)))
        for attendee in invitation.recipients {
            event.addProperty(Property(
                name: "ATTENDEE",
                parameters: [
                    Parameter(name: "ROLE", value: "REQ-PARTICIPANT"), Parameter(name: "PARTSTAT", value: "NEEDS-ACTION"),
                    Parameter(name: "RSVP", value: "TRUE"),
                ],
                value: CalendarAddress.calendarAddress(forEmailAddress: attendee)))
        }
        event.setTextValue(plainText, forProperty: "DESCRIPTION")
        if invitation.bodyFormat == .html {
            event.addProperty(Property(
                name: "X-ALT-DESC", parameters: [Parameter(name: "FMTTYPE", value: "text/html")],
                value: TextEscaping.escape(invitation.body)))
        }
        event.setValue("CONFIRMED", forProperty: "STATUS")

        var calendar = Component(name: "VCALENDAR")
        calendar.setValue("-//Meeting Migration Service//MMS//EN", forProperty: "PRODID")
        calendar.setValue("2.0", forProperty: "VERSION")
        calendar.setValue("REQUEST", forProperty: "METHOD")
        calendar.setValue("GREGORIAN", forProperty: "CALSCALE")
        calendar.addComponent(event)
        var resource = ICalendarResource(lineEnding: .crlf)
        resource.addComponent(calendar)
        return resource
    }

    /// `YYYYMMDDTHHMMSSZ` (RFC 5545 form 2, UTC), whole seconds.
    static func utc(_ date: Date) -> String {
        LocalDateTime(secondsSinceEpochAsUTC: Int(date.timeIntervalSince1970.rounded(.down))).description + "Z"
    }
}
