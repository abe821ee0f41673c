import Testing
@testable import VigilForwarding

@Suite struct TransportPolicyTests {
    @Test func backoffDoublesFromTwoSecondsUpToTheCap() {
        let delays = (1...9).map { CircuitBreaker.backoff(failures: $0, base: 2, cap: 64) }
        #expect(delays == [2, 4, 8, 16, 32, 64, 64, 64, 64])
        #expect(CircuitBreaker.backoff(failures: 500, base: 2, cap: 64) == 64)
    }

    @Test func breakerOpensOnFailureHalfOpensAfterBackoffClosesOnSuccess() {
        var breaker = CircuitBreaker(base: 2, cap: 64)
        #expect(breaker.state(at: 100) == .closed)
        #expect(breaker.delay(at: 100) == 0)
        breaker.recordFailure(at: 100, jitter: 1)
        #expect(breaker.state(at: 101) == .open)
        #expect(breaker.delay(at: 101) == 1)
        #expect(breaker.state(at: 102) == .halfOpen)
        breaker.recordFailure(at: 102, jitter: 1)
        #expect(breaker.delay(at: 102) == 4)
        breaker.recordSuccess()
        #expect(breaker.state(at: 103) == .closed)
        #expect(breaker.delay(at: 103) == 0)
    }

    @Test func jitterNeverExceedsTheBackoff() {
        for _ in 0..<100 {
            var breaker = CircuitBreaker(base: 2, cap: 64)
            let applied = breaker.recordFailure(at: 0)
            #expect(applied >= 1 && applied <= 2)
        }
    }

    @Test(arguments: [
        (200, DeliveryOutcome.accepted), (202, .accepted), (413, .tooLarge), (415, .unsupportedEncoding),
        (400, .rejected(status: 400)), (403, .rejected(status: 403)), (422, .rejected(status: 422)),
        (404, .retry(reason: "HTTP 404")), (408, .retry(reason: "HTTP 408")), (429, .retry(reason: "HTTP 429")),
        (500, .retry(reason: "HTTP 500")), (503, .retry(reason: "HTTP 503")),
    ])
    func statusCodesAreClassifiedAsDocumented(_ status: Int, _ expected: DeliveryOutcome) {
        #expect(DatadogTransport.classify(status: status) == expected)
    }
}

@Suite struct RemoteWritePolicyTests {
    @Test(arguments: [
        (200, DeliveryOutcome.accepted), (204, .accepted), (413, .tooLarge),
        (400, .rejected(status: 400)), (401, .rejected(status: 401)), (404, .rejected(status: 404)), (415, .rejected(status: 415)),
        (429, .retry(reason: "HTTP 429")), (500, .retry(reason: "HTTP 500")), (503, .retry(reason: "HTTP 503")),
    ])
    func statusCodesFollowTheRemoteWriteSpecification(_ status: Int, _ expected: DeliveryOutcome) {
        #expect(RemoteWriteTransport.classify(status: status) == expected)
    }

    @Test func retryAfterIsHonouredAsAMinimumBackoff() {
        #expect(RemoteWriteTransport.classify(status: 429, retryAfter: RetryAfter.seconds("30")) == .retry(reason: "HTTP 429", after: 30))
        #expect(RetryAfter.seconds("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(RetryAfter.seconds("-1") == nil)
        var breaker = CircuitBreaker(base: 2, cap: 64)
        let applied = breaker.recordFailure(at: 0, atLeast: 30, jitter: 1)
        #expect(applied == 30)
        #expect(breaker.delay(at: 0) == 30)
    }
}
