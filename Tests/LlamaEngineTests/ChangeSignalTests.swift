import LlamaEngine
import Testing

/// The wake-ups that replace polling loops: no signal after a ticket is ever missed, and a wait
/// always ends (signal, deadline or cancellation). No timing is asserted.
@Suite struct ChangeSignalTests {
    @Test func aSignalBeforeTheWaitIsNotMissed() async {
        let signal = ChangeSignal()
        let ticket = signal.ticket()
        signal.signal()
        await signal.wait(ticket)
    }

    @Test func aWaitEndsWhenAnotherTaskSignals() async {
        let signal = ChangeSignal()
        let ticket = signal.ticket()
        async let waited: Void = signal.wait(ticket)
        signal.signal()
        await waited
    }

    @Test func aWaitEndsAtItsDeadlineWithoutASignal() async {
        let signal = ChangeSignal()
        await signal.wait(signal.ticket(), until: .now)
    }

    @Test func aCancelledWaitEnds() async {
        let signal = ChangeSignal()
        let ticket = signal.ticket()
        let task = Task { await signal.wait(ticket) }
        task.cancel()
        await task.value
    }

    @Test func aRelayWakesTheOtherSignalsTickets() async {
        let (engine, registry) = (ChangeSignal(), ChangeSignal())
        engine.relay(to: registry)
        let ticket = registry.ticket()
        engine.signal()
        await registry.wait(ticket)
    }
}
