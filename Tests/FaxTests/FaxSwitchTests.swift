import Fax
import Testing

/// The decisions of a fax call's switch to T.38 (`FaxSwitch`), mode by mode and side by side.
struct FaxSwitchTests {
    @Test func t38AsksAsSoonAsTheCallIsUpAndMovesWhenAnswered() {
        var machine = FaxSwitch(mode: .t38, calling: true)
        #expect(machine.handle(.answered) == [.startAudio, .offerT38])
        #expect(machine.transport == .offering)
        #expect(machine.handle(.offerAnswered) == [.startT38])
        #expect(machine.transport == .t38)
    }

    @Test func aRefusalKeepsTheFaxOnAudioAndIsNotAskedAgain() {
        var machine = FaxSwitch(mode: .auto, calling: false)
        _ = machine.handle(.answered)
        #expect(machine.handle(.faxToneHeard) == [.offerT38])
        #expect(machine.handle(.offerRefused(status: 488)) == [.stayOnAudio(status: 488)])
        #expect(machine.transport == .audio)
        #expect(machine.handle(.faxToneHeard) == [])
    }

    @Test func autoAnswererAsksOnTonesAutoCallerWaits() {
        var answerer = FaxSwitch(mode: .auto, calling: false), caller = FaxSwitch(mode: .auto, calling: true)
        #expect(answerer.handle(.answered) == [.startAudio])
        #expect(caller.handle(.answered) == [.startAudio])
        #expect(answerer.handle(.faxToneHeard) == [.offerT38])
        #expect(caller.handle(.faxToneHeard) == [])
        #expect(caller.handle(.offerReceived) == [.acceptT38])
        #expect(caller.transport == .t38)
    }

    @Test func audioRefusesEveryOfferAndNeverAsks() {
        var machine = FaxSwitch(mode: .audio, calling: false)
        #expect(machine.handle(.answered) == [.startAudio])
        #expect(machine.handle(.faxToneHeard) == [])
        #expect(machine.handle(.offerReceived) == [.refuseT38(status: 488)])
        #expect(machine.transport == .audio)
    }

    @Test func aRefreshOnT38IsAnsweredWithTheSameStream() {
        var machine = FaxSwitch(mode: .auto, calling: true)
        _ = machine.handle(.answered)
        #expect(machine.handle(.offerReceived) == [.acceptT38])
        #expect(machine.handle(.offerReceived) == [.reanswerT38])
        #expect(machine.handle(.offerAnswered) == [])
    }

    @Test func nothingHappensBeforeTheAnswer() {
        var machine = FaxSwitch(mode: .t38, calling: true)
        #expect(machine.handle(.faxToneHeard) == [])
        #expect(machine.handle(.offerAnswered) == [])
        #expect(machine.transport == .idle)
    }

    @Test func aCallAnsweredOnT38StartsThereUnlessAudioOnly() {
        var machine = FaxSwitch(mode: .auto, calling: false)
        #expect(machine.handle(.answeredOnT38) == [.startT38])
        #expect(machine.transport == .t38)
        var audioOnly = FaxSwitch(mode: .audio, calling: false)
        #expect(audioOnly.handle(.answeredOnT38) == [])
    }
}
