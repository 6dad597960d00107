import CoreMetrics
import MMSCore
import Synchronization

/// The connectors' metrics: CalDAV requests and SMTP deliveries by outcome, with their latency.
final class ConnectorMetrics: Sendable {
    private let labelled: LabelledMetrics

    init(factory: any MetricsFactory) {
        self.labelled = LabelledMetrics(factory: factory)
    }

    /// A CalDAV request (`CalDAVMailbox.RequestObserver`): `outcome` is the status class
    /// (`2xx` … `5xx`) or `error` when no status came.
    func calDAVRequest(method: String, status: Int?, nanoseconds: Int64) {
        // Only the methods the connector sends; anything else would be a label the code did not choose.
        let method = ["GET", "PUT", "REPORT", "PROPFIND", "DELETE", "OPTIONS"].contains(method) ? method : "other"
        let outcome = status.map { "\(min(max($0 / 100, 1), 5))xx" } ?? "error"
        self.counter("mms_caldav_requests_total", [("method", method), ("outcome", outcome)]).increment()
        self.timer("mms_caldav_request_duration_seconds", [("method", method)]).recordNanoseconds(nanoseconds)
    }

    /// One invitation handed to SMTP: `delivered` (every recipient taken), `partial` (some refused
    /// or deferred), or `error` (the relay could not be used at all).
    func smtpDelivery(outcome: String, nanoseconds: Int64) {
        self.counter("mms_smtp_deliveries_total", [("outcome", outcome)]).increment()
        self.timer("mms_smtp_delivery_duration_seconds", []).recordNanoseconds(nanoseconds)
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Counter {
        self.labelled.counter(label, dimensions)
    }

    private func timer(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Timer {
        self.labelled.timer(label, dimensions)
    }
}

/// The SMTP sender, timed and counted (ConnectorMetrics.smtpDelivery).
struct ObservedInvitationSender: InvitationSender {
    let inner: any InvitationSender
    let metrics: ConnectorMetrics

    func deliver(_ invitation: OutgoingInvitation) async throws -> InvitationDelivery {
        let start = ContinuousClock.now
        do {
            let delivery = try await self.inner.deliver(invitation)
            let outcome = delivery.failed.isEmpty && delivery.deferred.isEmpty ? "delivered" : "partial"
            self.metrics.smtpDelivery(outcome: outcome, nanoseconds: (ContinuousClock.now - start).metricNanoseconds)
            return delivery
        } catch {
            self.metrics.smtpDelivery(outcome: "error", nanoseconds: (ContinuousClock.now - start).metricNanoseconds)
            throw error
        }
    }
}
