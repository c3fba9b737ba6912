import Testing

@testable import LlamaEngine

/// When a sequence ends, decided without a model.
@Suite struct StopPolicyTests {
    let policy = StopPolicy(maxTokens: 3, contextLength: 10)

    @Test func aTokenInTheMiddleGoesOn() {
        #expect(policy.reason(after: .init(completionTokens: 1, cachedTokens: 4)) == nil)
    }

    @Test func theEndOfGenerationAndStopStringsStop() {
        #expect(policy.reason(after: .init(endsGeneration: true, completionTokens: 1, cachedTokens: 4)) == .stop)
        #expect(policy.reason(after: .init(metStopString: true, completionTokens: 3, cachedTokens: 9)) == .stop)
    }

    @Test func aConsumerGoneCancelsEvenAtAStopString() {
        #expect(policy.reason(after: .init(consumerGone: true, metStopString: true, completionTokens: 1, cachedTokens: 4)) == .cancelled)
    }

    @Test func theLimitAndAFullContextAreLengths() {
        #expect(policy.reason(after: .init(completionTokens: 3, cachedTokens: 4)) == .length)
        #expect(StopPolicy(maxTokens: nil, contextLength: 10).reason(after: .init(completionTokens: 50, cachedTokens: 9)) == .length)
        #expect(StopPolicy(maxTokens: nil, contextLength: 10).reason(after: .init(completionTokens: 50, cachedTokens: 8)) == nil)
    }

    @Test func zeroTokensEndsBeforeSampling() {
        #expect(StopPolicy(maxTokens: 0, contextLength: 10).endsBeforeSampling == .length)
        #expect(policy.endsBeforeSampling == nil)
    }
}
