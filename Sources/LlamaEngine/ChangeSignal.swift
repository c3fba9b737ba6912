import Synchronization

/// Wakes tasks waiting for something other threads change (an engine running out of work, a
/// model's last lease ending), instead of their polling it.
///
/// A waiter takes a ``Ticket`` first, synchronously, then checks its condition, then waits on
/// the ticket: a ``signal()`` after the ticket was taken wakes it even if it came before the
/// wait began, so no change between the check and the wait is missed.
public final class ChangeSignal: Sendable {
    /// Interest in the next ``signal()``, taken before the condition is checked.
    public struct Ticket: Sendable {
        fileprivate let id: Int
    }

    private struct State {
        var nextID = 0
        /// Tickets not yet signalled, with the continuation of their waiter once it waits.
        var pending: [Int: CheckedContinuation<Void, Never>?] = [:]
        var relays: [ChangeSignal] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// A ticket for the next ``signal()``.
    public func ticket() -> Ticket {
        state.withLock { state in
            state.nextID += 1
            state.pending[state.nextID] = .some(nil)
            return Ticket(id: state.nextID)
        }
    }

    /// Returns once a ``signal()`` came after `ticket` was taken (at once if one already did),
    /// at `deadline`, or when the task is cancelled.
    public func wait(_ ticket: Ticket, until deadline: ContinuousClock.Instant? = nil) async {
        guard let deadline else { return await waitForSignal(ticket) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForSignal(ticket) }
            group.addTask { try? await Task.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal(_ ticket: Ticket) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let waits = state.withLock { state in
                    guard state.pending[ticket.id] != nil, !Task.isCancelled else { return false }
                    state.pending[ticket.id] = continuation
                    return true
                }
                if !waits { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.pending.removeValue(forKey: ticket.id) }
            if case .some(.some(let continuation)) = waiter { continuation.resume() }
        }
    }

    /// Wakes every ticket taken so far, and the signals this one relays to.
    public func signal() {
        let (waiters, relays) = state.withLock { state in
            defer { state.pending = [:] }
            return (state.pending.values.compactMap { $0 }, state.relays)
        }
        for waiter in waiters { waiter.resume() }
        for relay in relays { relay.signal() }
    }

    /// Signals `other` too whenever this one is signalled (a registry hears each engine's).
    public func relay(to other: ChangeSignal) {
        state.withLock { $0.relays.append(other) }
    }
}
