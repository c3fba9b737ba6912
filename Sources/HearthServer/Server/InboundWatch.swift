import Synchronization

/// Whether a request's handler gave the connection's inbound side to disconnect detection.
///
/// Detection reads the inbound side to its end, so the connection cannot carry another
/// request: successful generation replies say `Connection: close` themselves, and an error
/// thrown after detection started (a refusal checked once the vectors exist, a decode that
/// failed) must say it too, else a keep-alive client's next request is read by nobody and its
/// connection is dropped without an answer.
final class InboundWatch: Sendable {
    private let started = Atomic<Bool>(false)

    /// The watch of the request being handled, bound by ``ErrorMiddleware``.
    @TaskLocal static var current: InboundWatch?

    /// Detection began reading the inbound side.
    func markStarted() { started.store(true, ordering: .relaxed) }

    /// Whether the connection must close after the response.
    var hasStarted: Bool { started.load(ordering: .relaxed) }
}
