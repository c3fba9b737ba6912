import AudioConversion
import CWhisper
import Foundation

/// Audio as Whisper takes it: mono float samples at 16 kHz, decoded from a WAV, MP3 or FLAC file
/// held in memory (miniaudio, through `native/hearth_audio.c`), or from other containers through
/// ffmpeg when it is installed (``decode(_:maxSeconds:)``).
public struct AudioSamples: Sendable {
    public static let sampleRate = 16_000

    public let samples: [Float]

    public var duration: Double { Double(samples.count) / Double(Self.sampleRate) }

    /// Decodes `bytes`, refusing more than `maxSeconds` of audio.
    public init(decoding bytes: [UInt8], maxSeconds: Double) throws(SpeechError) {
        var pointer: UnsafeMutablePointer<Float>?
        var count: UInt64 = 0
        let limit = UInt64(max(0, maxSeconds) * Double(Self.sampleRate))
        let status = bytes.withUnsafeBytes { buffer in
            hearth_audio_decode(buffer.baseAddress, buffer.count, UInt32(Self.sampleRate), limit, &pointer, &count)
        }
        switch Int(status) {
        case HEARTH_AUDIO_OK:
            guard let pointer else { throw .notAudio }
            defer { hearth_audio_free(pointer) }
            samples = Array(UnsafeBufferPointer(start: pointer, count: Int(count)))
        case HEARTH_AUDIO_TOO_LONG: throw .tooLong(maxSeconds: maxSeconds)
        case HEARTH_AUDIO_NO_MEMORY: throw .outOfMemory
        default: throw .notAudio
        }
    }

    /// Decodes `bytes` as ``init(decoding:maxSeconds:)`` does, and files in other containers
    /// (Ogg, WebM, MP4/M4A, AAC …) through ffmpeg, on a thread of its own, when it is installed.
    public static func decode(_ bytes: [UInt8], maxSeconds: Double) async throws(SpeechError) -> AudioSamples {
        do {
            return try AudioSamples(decoding: bytes, maxSeconds: maxSeconds)
        } catch .notAudio {
            guard FFmpeg.path != nil else { throw AudioContainer.name(of: bytes).map { .needsFFmpeg(container: $0) } ?? .notAudio }
            let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<AudioSamples, SpeechError>, Never>) in
                Thread { continuation.resume(returning: viaFFmpeg(bytes, maxSeconds: maxSeconds)) }.start()
            }
            return try result.get()
        }
    }

    /// ffmpeg reads a file rather than a pipe: MP4's index may sit at its end. The file is the
    /// server's own (mode 0600) and removed at once.
    private static func viaFFmpeg(_ bytes: [UInt8], maxSeconds: Double) -> Result<AudioSamples, SpeechError> {
        let path = NSTemporaryDirectory() + "/hearth-audio-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            return .failure(.outOfMemory)
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            // A little past the limit, to tell a recording that is too long from one that fits.
            let samples = try FFmpeg.decode(file: path, sampleRate: sampleRate, maxSeconds: maxSeconds + 1)
            if Double(samples.count) > maxSeconds * Double(sampleRate) { return .failure(.tooLong(maxSeconds: maxSeconds)) }
            return samples.isEmpty ? .failure(.notAudio) : .success(AudioSamples(samples: samples))
        } catch {
            return .failure(.notAudio)
        }
    }

    public init(samples: [Float]) {
        self.samples = samples
    }
}
