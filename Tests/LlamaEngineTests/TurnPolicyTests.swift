import Testing

@testable import LlamaEngine

/// How side work (embedding passes) and decode ticks take turns on the CPU.
@Suite struct TurnPolicyTests {
    @Test func sideWorkRunsFreelyWhileNothingGenerates() {
        var policy = TurnPolicy(share: 0.2)
        policy.sideArrived()
        #expect(policy.mayStartSide)
        #expect(policy.sideBudget == TurnPolicy.idlePart)
        policy.sideStarted()
        #expect(!policy.mayStartTick)
        policy.sideEnded(seconds: 5)
        #expect(policy.credit == 0)
    }

    @Test func sideWorkWaitsForTheTickThatRuns() {
        var policy = TurnPolicy(share: 0.2)
        policy.loopBecameBusy()
        policy.tickStarted()
        policy.sideArrived()
        #expect(!policy.mayStartSide)
        policy.tickEnded(seconds: 0.1, decodeOnly: true)
        #expect(policy.mayStartSide)
        // The next tick yields to the waiting pass that has earned its time.
        #expect(!policy.mayStartTick)
        #expect(policy.sideBudget == 0.1)
    }

    @Test func sideWorkGetsItsShareOfTheClockOverTime() {
        var policy = TurnPolicy(share: 0.2)
        policy.loopBecameBusy()
        var (tickTime, sideTime) = (0.0, 0.0)
        policy.sideArrived()
        for _ in 0..<1000 {
            if policy.mayStartSide {
                policy.sideStarted()
                policy.sideEnded(seconds: 0.05)  // passes a little shorter than ticks
                sideTime += 0.05
                policy.sideArrived()
            }
            #expect(policy.mayStartTick || policy.mayStartSide)
            if policy.mayStartTick {
                policy.tickStarted()
                policy.tickEnded(seconds: 0.06, decodeOnly: true)
                tickTime += 0.06
            }
        }
        let share = sideTime / (sideTime + tickTime)
        #expect(abs(share - 0.2) < 0.01, "\(share)")
    }

    @Test func timeNotUsedIsNotSavedUp() {
        var policy = TurnPolicy(share: 0.5)
        policy.loopBecameBusy()
        for _ in 0..<100 {
            policy.tickStarted()
            policy.tickEnded(seconds: 0.05, decodeOnly: true)
        }
        // A hundred ticks without side work leave at most one tick's worth to spend at once.
        #expect(policy.credit <= 0.05 + 1e-12)
    }

    @Test func aPromptTickDoesNotLengthenPasses() {
        var policy = TurnPolicy(share: 0.2)
        policy.loopBecameBusy()
        policy.tickStarted()
        policy.tickEnded(seconds: 0.04, decodeOnly: true)
        policy.tickStarted()
        policy.tickEnded(seconds: 5, decodeOnly: false)
        #expect(policy.sideBudget == 0.04)
        #expect(policy.credit <= 0.04)
    }

    @Test func anIdleLoopReleasesSideWork() {
        var policy = TurnPolicy(share: 0.2)
        policy.loopBecameBusy()
        policy.sideArrived()
        #expect(!policy.mayStartSide)
        policy.loopBecameIdle()
        #expect(policy.mayStartSide)
    }
}
