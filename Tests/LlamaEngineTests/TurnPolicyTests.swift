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

/// Parts that cannot be cut to a tick's length (a whisper.cpp window's encoding).
@Suite struct TurnPolicyCostTests {
    @Test func aDearPartWaitsUntilItHasEarnedItsWholeCost() {
        var policy = TurnPolicy(share: 0.2)
        policy.loopBecameBusy()
        policy.sideArrived(cost: 0.5)
        var ticks = 0
        while !policy.mayStartSide(cost: 0.5) {
            #expect(policy.mayStartTick)
            policy.tickStarted()
            policy.tickEnded(seconds: 0.01, decodeOnly: true)
            ticks += 1
        }
        // 0.5 s at a share of 0.2 is earned by 2 s of ticks: 200 ticks of 10 ms.
        #expect((199...201).contains(ticks))
        #expect(!policy.mayStartTick)
    }

    @Test func aCheapPartIsNotHeldBehindADearOne() {
        var policy = TurnPolicy(share: 0.2)
        policy.loopBecameBusy()
        policy.sideArrived(cost: 0.5)
        policy.sideArrived()
        policy.tickStarted()
        policy.tickEnded(seconds: 0.01, decodeOnly: true)
        #expect(policy.mayStartSide(cost: 0))
        #expect(!policy.mayStartSide(cost: 0.5))
        #expect(!policy.mayStartTick)
        policy.sideStarted(cost: 0)
        policy.sideEnded(seconds: 0.002)
        #expect(policy.waitingCosts == [0.5])
        #expect(policy.mayStartTick)
    }

    @Test func dearPartsStillGetOnlyTheirShare() {
        var policy = TurnPolicy(share: 0.15)
        policy.loopBecameBusy()
        var (tickTime, sideTime) = (0.0, 0.0)
        policy.sideArrived(cost: 0.45)
        for _ in 0..<20_000 {
            if policy.mayStartSide(cost: 0.45) {
                policy.sideStarted(cost: 0.45)
                policy.sideEnded(seconds: 0.47)
                sideTime += 0.47
                policy.sideArrived(cost: 0.45)
            }
            #expect(policy.mayStartTick || policy.mayStartSide(cost: 0.45))
            if policy.mayStartTick {
                policy.tickStarted()
                policy.tickEnded(seconds: 0.01, decodeOnly: true)
                tickTime += 0.01
            }
        }
        let share = sideTime / (sideTime + tickTime)
        #expect(abs(share - 0.15) < 0.01, "\(share)")
    }
}
