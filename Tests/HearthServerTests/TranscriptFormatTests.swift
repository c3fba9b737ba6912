import NIOCore
import OpenAIAPI
import OrderedJSON
import SpeechRecognition
import Testing

@testable import HearthServer

/// The response formats of the audio routes, and the form they read, without a model.
@Suite struct TranscriptFormatTests {
    static let transcript = Transcript(
        segments: [
            .init(start: 0, end: 8, text: " And so my fellow Americans", tokens: [1, 2], averageLogprob: -0.25, noSpeechProbability: 0.01),
            .init(start: 31, end: 3723.5, text: " ask not.", tokens: [3]),
        ],
        language: "en",
        duration: 3723.5
    )

    @Test func subtitlesNumberCuesAndWriteTimesInTheirOwnNotation() {
        #expect(
            TranscriptFormat.srt(Self.transcript)
                == "1\n00:00:00,000 --> 00:00:08,000\nAnd so my fellow Americans\n\n2\n00:00:31,000 --> 01:02:03,500\nask not.\n"
        )
        #expect(
            TranscriptFormat.vtt(Self.transcript)
                == "WEBVTT\n\n00:00:00.000 --> 00:00:08.000\nAnd so my fellow Americans\n\n00:00:31.000 --> 01:02:03.500\nask not.\n"
        )
    }

    @Test func jsonFormatsCarryTheTextSegmentsAndUsage() {
        #expect(
            TranscriptFormat.json(Self.transcript).serialized
                == #"{"text":"And so my fellow Americans ask not.","usage":{"type":"duration","seconds":3724}}"#
        )
        let verbose = TranscriptFormat.verboseJSON(Self.transcript, task: "transcribe", temperature: 0)
        #expect(verbose["language"] == "english")
        guard case .array(let segments)? = verbose["segments"], segments.count == 2 else {
            Issue.record("no segments: \(verbose.serialized)")
            return
        }
        #expect(segments[1]["id"] == 1)
        #expect(segments[1]["seek"] == 3000)
        #expect(segments[0]["avg_logprob"] == -0.25)
    }

    static func form(_ fields: [(String, String)], file: String? = "RIFF") -> (ByteBuffer, String) {
        var body = ""
        for (name, value) in fields { body += "--b0undary\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n" }
        if let file {
            body += "--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n\(file)\r\n"
        }
        body += "--b0undary--\r\n"
        return (ByteBuffer(string: body), "multipart/form-data; boundary=\"b0undary\"")
    }

    @Test func aFormIsReadIntoTheRequest() throws {
        let (body, type) = Self.form([("response_format", "srt"), ("temperature", "0.2"), ("language", "en"), ("prompt", "JFK")])
        let form = try MultipartForm(body, contentType: type)
        #expect(form.part("file")?.filename == "a.wav")
        #expect(form.part("file")?.contentType == "audio/wav")
        let request = try TranscriptionRequest(form: form, translating: false)
        #expect(request.audio == Array("RIFF".utf8))
        #expect(request.format == .srt)
        #expect(request.options.temperature == 0.2)
        #expect(request.options.language == "en")
        #expect(request.options.prompt == "JFK")
    }

    @Test(arguments: [
        ([("temperature", "hot")], "temperature"), ([("stream", "yes")], "stream"), ([("response_format", "xml")], "response_format"),
        ([("timestamp_granularities[]", "segment")], "timestamp_granularities[]"), ([("colour", "red")], "colour"),
    ])
    func badFieldsAreNamed(fields: [(String, String)], param: String) throws {
        let (body, type) = Self.form(fields)
        #expect(throws: OpenAIError.self) { try TranscriptionRequest(form: try MultipartForm(body, contentType: type), translating: false) }
        do {
            _ = try TranscriptionRequest(form: try MultipartForm(body, contentType: type), translating: false)
        } catch { #expect(error.param == param) }
    }

    @Test func aTranslationTakesNoLanguageAndAFormNeedsAFile() throws {
        let (body, type) = Self.form([("language", "de")])
        #expect(throws: OpenAIError.self) { try TranscriptionRequest(form: try MultipartForm(body, contentType: type), translating: true) }
        let (noFile, noFileType) = Self.form([("model", "whisper-1")], file: nil)
        do {
            _ = try TranscriptionRequest(form: try MultipartForm(noFile, contentType: noFileType), translating: false)
            Issue.record("a form without a file was accepted")
        } catch { #expect(error.param == "file") }
        #expect(throws: OpenAIError.self) { try MultipartForm(ByteBuffer(string: "{}"), contentType: "application/json") }
    }
}
