import Testing
@testable import VigilConsole

@Suite struct LoginCodesTests {
    @Test func aCodeWorksOnceAndOnlyWithinItsLifetime() {
        let codes = LoginCodes()
        let code = codes.issue(now: 1000)
        #expect(code.count == 64)
        #expect(codes.redeem(code, now: 1001))
        #expect(!codes.redeem(code, now: 1002), "a second use must fail")

        let late = codes.issue(now: 2000)
        #expect(!codes.redeem(late, now: 2000 + LoginCodes.lifetime), "expired exactly at its lifetime")
        #expect(!codes.redeem(late, now: 2001), "an expired code is gone, not revived")
        #expect(!codes.redeem("", now: 1000))
        #expect(!codes.redeem(String(repeating: "0", count: 64), now: 1000))
    }

    @Test func outstandingCodesAreBounded() {
        let codes = LoginCodes()
        let first = codes.issue(now: 0)
        for _ in 0..<LoginCodes.maxOutstanding { _ = codes.issue(now: 1) }
        #expect(!codes.redeem(first, now: 2), "the oldest is evicted")
        #expect(codes.issue(now: 3) != codes.issue(now: 3))
    }

    @Test func sessionsExpireAndEnd() {
        let sessions = Sessions()
        let s = sessions.create(now: 0)
        #expect(s.id != s.csrfToken)
        #expect(sessions.find(s.id, now: 10) == s)
        #expect(sessions.find(s.id, now: Sessions.lifetime + 1) == nil)
        let t = sessions.create(now: 0)
        sessions.end(t.id)
        #expect(sessions.find(t.id, now: 1) == nil)
        #expect(sessions.find("nope", now: 1) == nil)
    }

    @Test func theCookieIsHttpOnlyStrictAndScopedToTheConsole() {
        let session = Sessions.Session(id: "abc", csrfToken: "x", expires: 3600)
        let header = SessionCookie.set(session, now: 0)
        let attributes = header.split(separator: ";").map { $0.trimmingSpaces }
        #expect(attributes.first == "vigil_console=abc")
        #expect(attributes.contains("HttpOnly"))
        #expect(attributes.contains("SameSite=Strict"))
        #expect(attributes.contains("Path=/console"))
        #expect(attributes.contains("Max-Age=3600"))
        #expect(!attributes.contains("Secure"))
        #expect(SessionCookie.set(session, now: 0, secure: true).hasSuffix("; Secure"))
        #expect(SessionCookie.cleared.contains("Max-Age=0"))
        #expect(SessionCookie.read("a=1; vigil_console=abc; b=2") == "abc")
        #expect(SessionCookie.read("vigil_console=") == nil)
        #expect(SessionCookie.read("other=abc") == nil)
        #expect(SessionCookie.read(nil) == nil)
    }
}
