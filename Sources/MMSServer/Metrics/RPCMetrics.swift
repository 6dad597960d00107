import CoreMetrics
import MMSRPC
import MMSRPCServer
import Synchronization

/// The RPC server's metrics (docs/PROTOCOL.md, "Metrics"): calls by method and status code, a
/// latency histogram per method, calls in flight, open connections, connections rejected by reason.
///
/// The per-method counter of OK calls and the method's timer are made once, when the server is
/// built; a call then costs two atomic adds and one histogram record, no label array, no lookup
/// by name. Other codes are rarer: their counters are made on first use, under a lock.
final class RPCMetrics: RPCServerObserver {
    private let factory: any MetricsFactory
    private let inFlight: Meter
    private let connections: Meter
    private let refused = Mutex<[UInt8: CoreMetrics.Counter]>([:])
    private let rejected = Mutex<[String: CoreMetrics.Counter]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
        self.inFlight = Meter(label: "mms_rpc_calls_in_flight", factory: factory)
        self.connections = Meter(label: "mms_rpc_open_connections", factory: factory)
    }

    func methodObserver(for method: String) -> any RPCMethodObserver {
        // "mms.v1.MigrationService/GetMigrationStatus" → service and method labels, as gRPC's.
        let parts = method.split(separator: "/", maxSplits: 1).map(String.init)
        let service = parts.count == 2 ? parts[0] : ""
        let name = parts.last ?? method
        return MethodMetrics(service: service, method: name, factory: self.factory, inFlight: self.inFlight)
    }

    func callRefused(code: StatusCode) {
        // An unknown method's name is the caller's choice, so unbounded: never a label.
        self.refused.withLock { counters in
            if let counter = counters[code.rawValue] { return counter }
            let counter = CoreMetrics.Counter(
                label: "mms_rpc_calls_total", dimensions: [("service", ""), ("method", "unknown"), ("code", code.name)], factory: self.factory)
            counters[code.rawValue] = counter
            return counter
        }.increment()
    }

    func connectionOpened() { self.connections.increment() }
    func connectionClosed() { self.connections.decrement() }

    func connectionRejected(reason: GoAwayCode?) {
        let name = reason.map { "\($0)".lowercased() } ?? "http_request"
        self.rejected.withLock { counters in
            if let counter = counters[name] { return counter }
            let counter = CoreMetrics.Counter(label: "mms_rpc_rejected_total", dimensions: [("reason", name)], factory: self.factory)
            counters[name] = counter
            return counter
        }.increment()
    }
}

/// One method's counters and histogram.
final class MethodMetrics: RPCMethodObserver {
    private let ok: CoreMetrics.Counter
    private let duration: CoreMetrics.Timer
    private let inFlight: Meter
    private let others = Mutex<[UInt8: CoreMetrics.Counter]>([:])
    private let service: String
    private let method: String
    private let factory: any MetricsFactory

    init(service: String, method: String, factory: any MetricsFactory, inFlight: Meter) {
        self.service = service
        self.method = method
        self.factory = factory
        self.inFlight = inFlight
        self.ok = CoreMetrics.Counter(
            label: "mms_rpc_calls_total", dimensions: [("service", service), ("method", method), ("code", "OK")], factory: factory)
        self.duration = CoreMetrics.Timer(
            label: "mms_rpc_call_duration_seconds", dimensions: [("service", service), ("method", method)], factory: factory)
    }

    func callStarted() {
        self.inFlight.increment()
    }

    func callEnded(code: StatusCode, nanoseconds: Int64) {
        self.inFlight.decrement()
        self.duration.recordNanoseconds(nanoseconds)
        if code == .ok {
            self.ok.increment()
            return
        }
        self.others.withLock { counters in
            if let counter = counters[code.rawValue] { return counter }
            let counter = CoreMetrics.Counter(
                label: "mms_rpc_calls_total", dimensions: [("service", self.service), ("method", self.method), ("code", code.name)],
                factory: self.factory)
            counters[code.rawValue] = counter
            return counter
        }.increment()
    }
}
