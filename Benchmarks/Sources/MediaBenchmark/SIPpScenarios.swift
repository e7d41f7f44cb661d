/// The SIPp scenarios of the media benchmark's SIPp side: a UAS whose SDP answer sends the
/// audio to the reflector, and a UAC that plays the capture `plays` times
/// from a port of its own per call (`[auto_media_port]`), so the reflector tells calls apart.
enum SIPpScenarios {
    static func uas(mediaPort: Int) -> String {
        """
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <scenario name="answer toward the reflector">
          <recv request="INVITE"/>
          <send>
            <![CDATA[
              SIP/2.0 200 OK
              [last_Via:]
              [last_From:]
              [last_To:];tag=[pid]SIPpTag01[call_number]
              [last_Call-ID:]
              [last_CSeq:]
              Contact: <sip:[local_ip]:[local_port];transport=[transport]>
              Content-Type: application/sdp
              Content-Length: [len]

              v=0
              o=- 1 1 IN IP4 127.0.0.1
              s=-
              c=IN IP4 127.0.0.1
              t=0 0
              m=audio \(mediaPort) RTP/AVP 8
              a=rtpmap:8 PCMA/8000
            ]]>
          </send>
          <recv request="ACK"/>
          <recv request="BYE"/>
          <send>
            <![CDATA[
              SIP/2.0 200 OK
              [last_Via:]
              [last_From:]
              [last_To:]
              [last_Call-ID:]
              [last_CSeq:]
              Content-Length: 0
            ]]>
          </send>
        </scenario>
        """
    }

    static func uac(capture: String, milliseconds: Int, plays: Int) -> String {
        let play = """
          <nop><action><exec play_pcap_audio="\(capture)"/></action></nop>
          <pause milliseconds="\(milliseconds)"/>

        """
        return """
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <scenario name="play a capture">
          <send retrans="500">
            <![CDATA[
              INVITE sip:bench@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
              To: <sip:bench@[remote_ip]:[remote_port]>
              Call-ID: [call_id]
              CSeq: 1 INVITE
              Contact: <sip:sipp@[local_ip]:[local_port]>
              Max-Forwards: 70
              Content-Type: application/sdp
              Content-Length: [len]

              v=0
              o=- 1 1 IN IP4 [media_ip]
              s=-
              c=IN IP4 [media_ip]
              t=0 0
              m=audio [auto_media_port] RTP/AVP 8
              a=rtpmap:8 PCMA/8000
            ]]>
          </send>
          <recv response="200"/>
        \(inDialog("ACK", cseq: 1))
        \(String(repeating: play, count: plays))
        \(inDialog("BYE", cseq: 2, retransmit: true))
          <recv response="200"/>
        </scenario>
        """
    }

    /// A request in the call's dialog with no body (the ACK and the BYE).
    private static func inDialog(_ method: String, cseq: Int, retransmit: Bool = false) -> String {
        """
          <send\(retransmit ? #" retrans="500""# : "")>
            <![CDATA[
              \(method) sip:bench@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              [last_From:]
              [last_To:]
              Call-ID: [call_id]
              CSeq: \(cseq) \(method)
              Max-Forwards: 70
              Content-Length: 0
            ]]>
          </send>
        """
    }
}
