// swift-tools-version: 6.1
import Foundation
import PackageDescription

/// llama.cpp is built by `make setup` (pip's llama-cpp-python) and exposed at a fixed prefix
/// inside the package, `.deps/llama/{include,lib}`. The linker gets that directory and an rpath to
/// it, so `swift build`, `swift test` and the built binary need no environment variables.
let llamaLib = Context.packageDirectory + "/.deps/llama/lib"
/// whisper.cpp and the audio decoder, built by `scripts/setup_whisper.sh` the same way.
let whisperLib = Context.packageDirectory + "/.deps/whisper/lib"
/// OpenBLAS and the sentence encoders' glue, built by `scripts/setup_encoder_ops.sh`.
let encoderLib = Context.packageDirectory + "/.deps/encoder/lib"
/// flite and the audio encoders' glue, built by `scripts/setup_speech.sh`.
let speechLib = Context.packageDirectory + "/.deps/speech/lib"

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Hearth",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hearth", targets: ["hearth"]),
        .executable(name: "hearth-bench", targets: ["hearth-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
    ],
    targets: [
        .systemLibrary(name: "CLlama"),
        .systemLibrary(name: "CEncoderOps"),
        .target(
            name: "LlamaEngine",
            dependencies: [
                "CLlama",
                "CEncoderOps",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: [
                // `$ORIGIN/../lib/hearth` first: an installed binary (make install) finds the
                // libraries installed beside it, wherever the tree is moved.
                .unsafeFlags([
                    "-L\(llamaLib)", "-L\(encoderLib)", "-Xlinker", "-rpath", "-Xlinker", "$ORIGIN/../lib/hearth", "-Xlinker", "-rpath", "-Xlinker",
                    llamaLib, "-Xlinker", "-rpath", "-Xlinker", encoderLib,
                ])
            ]
        ),
        .target(
            name: "AudioConversion",
            swiftSettings: swiftSettings
        ),
        .systemLibrary(name: "CWhisper"),
        .target(
            name: "SpeechRecognition",
            dependencies: ["CWhisper", "LlamaEngine", "AudioConversion"],
            swiftSettings: swiftSettings,
            linkerSettings: [
                .unsafeFlags([
                    "-L\(whisperLib)", "-Xlinker", "-rpath", "-Xlinker", "$ORIGIN/../lib/hearth", "-Xlinker", "-rpath", "-Xlinker", whisperLib,
                ])
            ]
        ),
        .systemLibrary(name: "CSpeech"),
        .target(
            name: "SpeechSynthesis",
            dependencies: ["CSpeech", "LlamaEngine", "AudioConversion"],
            swiftSettings: swiftSettings,
            linkerSettings: [
                .unsafeFlags([
                    "-L\(speechLib)", "-Xlinker", "-rpath", "-Xlinker", "$ORIGIN/../lib/hearth", "-Xlinker", "-rpath", "-Xlinker", speechLib,
                ])
            ]
        ),
        .target(
            name: "OrderedJSON",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "StructuredOutput",
            dependencies: ["OrderedJSON"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Jinja",
            dependencies: ["OrderedJSON"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Prompting",
            dependencies: [
                "Jinja",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OpenAIAPI",
            dependencies: ["OrderedJSON"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HearthServer",
            dependencies: [
                "LlamaEngine",
                "SpeechRecognition",
                "SpeechSynthesis",
                "OpenAIAPI",
                "Jinja",
                "Prompting",
                "StructuredOutput",
                "OrderedJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "MultipartKit", package: "multipart-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "hearth",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                "HearthServer",
                "Prompting",
                "OpenAIAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LoopbackHTTP",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "hearth-bench",
            dependencies: [
                "LlamaEngine",
                "StructuredOutput",
                "OrderedJSON",
                "Jinja",
                "Prompting",
                "LoopbackHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LlamaEngineTests",
            dependencies: ["LlamaEngine", "StructuredOutput", "OrderedJSON"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrderedJSONTests",
            dependencies: ["OrderedJSON"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StructuredOutputTests",
            dependencies: ["StructuredOutput", "OrderedJSON"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JinjaTests",
            dependencies: ["Jinja"],
            exclude: ["Conversations", "Expected"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PromptingTests",
            dependencies: ["Prompting", "Jinja"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OpenAIAPITests",
            dependencies: ["OpenAIAPI", "OrderedJSON"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HearthServerTests",
            dependencies: [
                "HearthServer",
                "Prompting",
                "Jinja",
                "OpenAIAPI",
                "LoopbackHTTP",
                "SpeechRecognition",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SpeechRecognitionTests",
            dependencies: ["SpeechRecognition"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SpeechSynthesisTests",
            dependencies: ["SpeechSynthesis", "SpeechRecognition"],
            swiftSettings: swiftSettings
        ),
    ]
)
