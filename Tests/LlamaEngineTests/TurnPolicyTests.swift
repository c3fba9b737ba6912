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

    /// Passes a little shorter than ticks, and uncut parts (a whisper.cpp encoding) 47 times
    /// longer than ticks that wait until they have earned their cost.
    @Test(arguments: [
        (share: 0.2, cost: 0.0, part: 0.05, tick: 0.06, rounds: 1000),
        (share: 0.15, cost: 0.45, part: 0.47, tick: 0.01, rounds: 20_000),
    ])
    func sideWorkGetsItsShareOfTheClockOverTime(share: Double, cost: Double, part: Double, tick: Double, rounds: Int) {
        var policy = TurnPolicy(share: share)
        policy.loopBecameBusy()
        var (tickTime, sideTime) = (0.0, 0.0)
        policy.sideArrived(cost: cost)
        for _ in 0..<rounds {
            if policy.mayStartSide(cost: cost) {
                policy.sideStarted(cost: cost)
                policy.sideEnded(seconds: part)
                sideTime += part
                policy.sideArrived(cost: cost)
            }
            #expect(policy.mayStartTick || policy.mayStartSide(cost: cost))
            if policy.mayStartTick {
                policy.tickStarted()
                policy.tickEnded(seconds: tick, decodeOnly: true)
                tickTime += tick
            }
        }
        let measured = sideTime / (sideTime + tickTime)
        #expect(abs(measured - share) < 0.01, "\(measured)")
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
}
