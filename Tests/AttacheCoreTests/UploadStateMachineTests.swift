import Testing

@testable import AttacheCore

@Suite("The upload state machine")
struct UploadStateMachineTests {
    static let mb: Int64 = 1024 * 1024
    static let chunk: Int64 = 3_932_160

    func session(size: Int64, attempts: Int = 6) -> UploadStateMachine {
        UploadStateMachine(fileSize: size, plan: .uploadSession(rangeLength: Self.chunk), maximumAttempts: attempts)
    }

    func accepted(_ next: String) -> ExpectedRanges {
        ExpectedRanges([ByteRange(parsing: next)!])
    }

    // MARK: Single POST

    @Test func smallFileIsOnePost() {
        var machine = UploadStateMachine(fileSize: 10, plan: .singleRequest)
        #expect(machine.start() == .postAttachment)
        #expect(machine.attachmentPosted(id: "A") == .succeed(attachmentID: "A"))
        #expect(machine.isFinished)
    }

    @Test func aPostWithNoReplyLooksForTheAttachmentBeforePostingAgain() {
        var machine = UploadStateMachine(fileSize: 10, plan: .singleRequest)
        _ = machine.start()
        #expect(machine.postFailed(.noReply("reset")) == .wait(attempt: 1, retryAfter: nil, reason: .noReply("reset")))
        #expect(machine.waitElapsed() == .findAttachment)
        #expect(machine.attachmentSearchFinished(foundID: nil) == .postAttachment)
        #expect(machine.attachmentPosted(id: "B") == .succeed(attachmentID: "B"))
    }

    @Test func aPostWhoseReplyWasLostButLandedIsNotRepeated() {
        var machine = UploadStateMachine(fileSize: 10, plan: .singleRequest)
        _ = machine.start()
        _ = machine.postFailed(.noReply("timed out"))
        _ = machine.waitElapsed()
        #expect(machine.attachmentSearchFinished(foundID: "LANDED") == .succeed(attachmentID: "LANDED"))
    }

    @Test func aRefusedPostFailsAtOnce() {
        var machine = UploadStateMachine(fileSize: 10, plan: .singleRequest)
        _ = machine.start()
        let refusal = RequestFailure.status(404, code: "ErrorItemNotFound", message: nil, retryAfter: nil)
        #expect(machine.postFailed(refusal) == .fail(.rejected(refusal)))
    }

    @Test func throttledPostWaitsAtLeastRetryAfter() {
        var machine = UploadStateMachine(fileSize: 10, plan: .singleRequest)
        _ = machine.start()
        let throttled = RequestFailure.status(429, code: "TooManyRequests", message: nil, retryAfter: .seconds(7))
        #expect(machine.postFailed(throttled) == .wait(attempt: 1, retryAfter: .seconds(7), reason: throttled))
        #expect(machine.waitElapsed() == .postAttachment)
    }

    // MARK: Sessions

    @Test func theSeedWalkthrough() {
        // 3483322 bytes in ranges of 2097152, as in the seed.
        var machine = UploadStateMachine(fileSize: 3_483_322, plan: .uploadSession(rangeLength: 2_097_152))
        #expect(machine.start() == .createSession)
        #expect(machine.sessionCreated(expecting: .everything) == .putRange(0..<2_097_152))
        #expect(machine.rangeAccepted(expecting: accepted("2097152")) == .putRange(2_097_152..<3_483_322))
        #expect(machine.confirmedBytes == 2_097_152)
        #expect(machine.uploadCompleted(attachmentID: "AAMkADI5MAAIT3drCAAABEgAQANAqbAe7qaROhYdTnUQwXm0=") == .succeed(attachmentID: "AAMkADI5MAAIT3drCAAABEgAQANAqbAe7qaROhYdTnUQwXm0="))
    }

    @Test func rangesFollowWhatTheServerExpectsNotWhatWasSent() {
        var machine = session(size: 10 * Self.mb)
        _ = machine.start()
        _ = machine.sessionCreated(expecting: .everything)
        // The server kept only part of the range: the next one starts there, off the 320 KiB grid.
        #expect(machine.rangeAccepted(expecting: accepted("1000000-")) == .putRange(1_000_000..<(1_000_000 + Self.chunk)))
    }

    @Test func severalGapsAreFilledInOrder() throws {
        var machine = session(size: 10 * Self.mb)
        _ = machine.start()
        _ = machine.sessionCreated(expecting: .everything)
        let gaps = try ExpectedRanges(parsing: ["100-199", "5000000-"])
        #expect(machine.rangeAccepted(expecting: gaps) == .putRange(100..<200))
    }

    @Test func aBrokenConnectionAsksTheSessionThenResendsOnlyWhatIsMissing() {
        var machine = session(size: 10 * Self.mb)
        _ = machine.start()
        _ = machine.sessionCreated(expecting: .everything)
        _ = machine.rangeAccepted(expecting: accepted("\(Self.chunk)"))
        #expect(machine.rangeFailed(.noReply("reset")) == .wait(attempt: 1, retryAfter: nil, reason: .noReply("reset")))
        #expect(machine.waitElapsed() == .querySession)
        // The server had received 1000 bytes of the broken range.
        #expect(machine.sessionStatus(expecting: accepted("\(Self.chunk + 1000)-")) == .putRange((Self.chunk + 1000)..<(2 * Self.chunk + 1000)))
    }

    @Test func a416AsksTheSessionWithoutWaiting() {
        var machine = session(size: 10 * Self.mb)
        _ = machine.start()
        _ = machine.sessionCreated(expecting: .everything)
        let conflict = RequestFailure.status(416, code: "ErrorInvalidRange", message: nil, retryAfter: nil)
        #expect(machine.rangeFailed(conflict) == .querySession)
        #expect(machine.sessionStatus(expecting: accepted("0-")) == .putRange(0..<Self.chunk))
    }

    @Test func endlessDisagreementFailsAndDeletesTheSession() {
        var machine = session(size: 10 * Self.mb, attempts: 3)
        _ = machine.start()
        _ = machine.sessionCreated(expecting: .everything)
        let conflict = RequestFailure.status(416, code: nil, message: nil, retryAfter: nil)
        #expect(machine.rangeFailed(conflict) == .querySession)
        #expect(machine.sessionStatus(expecting: .everything) == .putRange(0..<Self.chunk))
        #expect(machine.rangeFailed(conflict) == .querySession)
        #expect(machine.sessionStatus(expecting: .everything) == .putRange(0..<Self.chunk))
        #expect(machine.rangeFailed(conflict) == .deleteSession)
        guard case .fail(.serverDisagrees) = machine.sessionDeleted() else {
            Issue.record("expected a disagreement failure")
            return
        }
    }

    @Test func retriesGiveUpAfterTheLimitAndCleanUp() {
        var machine = session(size: 10 * Self.mb, attempts: 2)
        _ = machine.start()
        _ = machine.sessionCreated(expecting: .everything)
        let outage = RequestFailure.status(503, code: nil, message: nil, retryAfter: .seconds(1))
        #expect(machine.rangeFailed(outage) == .wait(attempt: 1, retryAfter: .seconds(1), reason: outage))
        #expect(machine.waitElapsed() == .querySession)
        #expect(machine.sessionQueryFailed(outage) == .deleteSession)
        #expect(machine.sessionDeleted() == .fail(.gaveUp(outage, attempts: 2)))
    }

    @Test func progressResetsTheFailureCount() {
        var machine = session(size: 20 * Self.mb, attempts: 2)
        _ = machine.start()
        _ = machine.sessionCreated(expecting: .everything)
        for _ in 0..<4 {
            guard case .wait = machine.rangeFailed(.noReply("x")) else {
                Issue.record("a failure after progress should be retried")
                return
            }
            _ = machine.waitElapsed()
            guard case .putRange(let range) = machine.sessionStatus(expecting: .everything) else { return }
            _ = machine.rangeAccepted(expecting: accepted("\(range.upperBound)"))
        }
    }

    @Test func aSessionGoneMidwayStartsAnotherFromTheStart() {
        var machine = session(size: 10 * Self.mb)
        _ = machine.start()
        _ = machine.sessionCreated(expecting: .everything)
        _ = machine.rangeAccepted(expecting: accepted("\(Self.chunk)"))
        let gone = RequestFailure.status(404, code: "ErrorItemNotFound", message: "expired", retryAfter: nil)
        #expect(machine.rangeFailed(gone) == .createSession)
        #expect(machine.sessionCreated(expecting: .everything) == .putRange(0..<Self.chunk))
    }

    @Test func aSessionGoneAfterTheLastRangeLooksForTheAttachmentFirst() {
        var machine = session(size: 5 * Self.mb)
        _ = machine.start()
        _ = machine.sessionCreated(expecting: .everything)
        #expect(machine.rangeAccepted(expecting: accepted("\(Self.chunk)")) == .putRange(Self.chunk..<(5 * Self.mb)))
        // The final reply was lost; asking the session finds it gone (it became the attachment).
        #expect(machine.rangeFailed(.noReply("reset")) == .wait(attempt: 1, retryAfter: nil, reason: .noReply("reset")))
        #expect(machine.waitElapsed() == .querySession)
        #expect(machine.sessionQueryFailed(.status(404, code: nil, message: nil, retryAfter: nil)) == .findAttachment)
        #expect(machine.attachmentSearchFinished(foundID: "DONE") == .succeed(attachmentID: "DONE"))
    }

    @Test func aNewSessionThatRefusesItsFirstRangeFails() {
        var machine = session(size: 5 * Self.mb)
        _ = machine.start()
        _ = machine.sessionCreated(expecting: .everything)
        let refused = RequestFailure.status(401, code: "InvalidAuthenticationToken", message: nil, retryAfter: nil)
        #expect(machine.rangeFailed(refused) == .fail(.uploadURLRefused(refused)))
    }

    @Test func sessionsThatKeepExpiringEndIt() {
        var machine = UploadStateMachine(fileSize: 10 * Self.mb, plan: .uploadSession(rangeLength: Self.chunk), maximumSessions: 2)
        _ = machine.start()
        _ = machine.sessionCreated(expecting: .everything)
        _ = machine.rangeAccepted(expecting: accepted("\(Self.chunk)"))
        let gone = RequestFailure.status(404, code: nil, message: nil, retryAfter: nil)
        #expect(machine.rangeFailed(gone) == .createSession)
        _ = machine.sessionCreated(expecting: .everything)
        _ = machine.rangeAccepted(expecting: accepted("\(Self.chunk)"))
        #expect(machine.rangeFailed(gone) == .fail(.sessionsKeptExpiring(2)))
    }

    @Test func tooSmallForASessionFallsBackToPost() {
        var machine = session(size: 4 * Self.mb)
        _ = machine.start()
        let small = RequestFailure.status(400, code: "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize", message: nil, retryAfter: nil)
        #expect(machine.sessionCreationFailed(small) == .postAttachment)
        #expect(machine.attachmentPosted(id: "P") == .succeed(attachmentID: "P"))
    }

    @Test func aFinalReplyWithoutLocationIsResolvedByLooking() {
        var machine = session(size: 3 * Self.mb)
        _ = machine.start()
        _ = machine.sessionCreated(expecting: .everything)
        #expect(machine.uploadCompleted(attachmentID: nil) == .findAttachment)
        #expect(machine.attachmentSearchFinished(foundID: "X") == .succeed(attachmentID: "X"))
    }

    @Test func anOtherClientErrorFailsAndDeletesTheSession() {
        var machine = session(size: 5 * Self.mb)
        _ = machine.start()
        _ = machine.sessionCreated(expecting: .everything)
        let bad = RequestFailure.status(413, code: "ErrorRequestEntityTooLarge", message: nil, retryAfter: nil)
        #expect(machine.rangeFailed(bad) == .deleteSession)
        #expect(machine.sessionDeleted() == .fail(.rejected(bad)))
    }

    // MARK: Cancel, interrupt, resume

    @Test func cancelDeletesTheSession() {
        var machine = session(size: 5 * Self.mb)
        _ = machine.start()
        _ = machine.sessionCreated(expecting: .everything)
        #expect(machine.cancel() == .deleteSession)
        #expect(machine.cancel() == .none)
        #expect(machine.sessionDeleted() == .reportCancelled)
        #expect(machine.isFinished)
    }

    @Test func cancelBeforeASessionNeedsNoCleanup() {
        var machine = session(size: 5 * Self.mb)
        _ = machine.start()
        #expect(machine.cancel() == .reportCancelled)
    }

    @Test func cancelDuringARetryWaitIsImmediate() {
        var machine = session(size: 5 * Self.mb)
        _ = machine.start()
        _ = machine.sessionCreated(expecting: .everything)
        _ = machine.rangeFailed(.noReply("reset"))
        #expect(machine.cancel() == .deleteSession)
        #expect(machine.waitElapsed() == .none)
    }

    @Test func interruptKeepsTheSession() {
        var machine = session(size: 5 * Self.mb)
        _ = machine.start()
        _ = machine.sessionCreated(expecting: .everything)
        #expect(machine.interrupt() == .reportInterrupted)
        #expect(machine.isFinished)
    }

    @Test func resumeAsksTheSessionFirst() {
        var machine = session(size: 10 * Self.mb)
        #expect(machine.resume() == .querySession)
        #expect(machine.sessionStatus(expecting: accepted("\(2 * Self.chunk)-")) == .putRange((2 * Self.chunk)..<(10 * Self.mb)))
    }

    @Test func resumeOfAnExpiredSessionChecksForTheAttachmentThenStartsAgain() {
        var machine = session(size: 10 * Self.mb)
        _ = machine.resume()
        #expect(machine.sessionQueryFailed(.status(404, code: nil, message: nil, retryAfter: nil)) == .findAttachment)
        #expect(machine.attachmentSearchFinished(foundID: nil) == .createSession)
    }

    @Test func resumeWithoutASessionLooksBeforeStarting() {
        var machine = session(size: 10 * Self.mb)
        #expect(machine.resumeWithoutSession() == .findAttachment)
        #expect(machine.attachmentSearchFinished(foundID: nil) == .createSession)
    }

    @Test func eventsOutOfTurnAreIgnored() {
        var machine = session(size: 10 * Self.mb)
        #expect(machine.rangeAccepted(expecting: .everything) == .none)
        #expect(machine.attachmentPosted(id: "x") == .none)
        _ = machine.start()
        #expect(machine.sessionStatus(expecting: .everything) == .none)
        #expect(machine.start() == .none)
    }
}
