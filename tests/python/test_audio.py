"""Speech recognition through the real `openai` client: whisper.cpp (built by the setup against
llama.cpp's ggml) with the multilingual base model converted from PyPI (tiny.en where a test
needs an English-only model), on whisper.cpp's own recordings and German spoken by espeak-ng.
Greedy decoding: the same words every run; compared by word error rate, not byte for byte."""
from __future__ import annotations

import io
import json
import re
import signal
import subprocess
import threading
import time
import wave

import openai
import pytest
import requests

from conftest import ROOT
from test_lifecycle import start, wait_until_serving

SAMPLES = ROOT / ".deps" / "whisper" / "samples"
JFK = "and so my fellow americans ask not what your country can do for you ask what you can do for your country"


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower()).split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref, hyp = words(reference), words(hypothesis)
    distance = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        previous, distance[0] = distance[0], i
        for j, h in enumerate(hyp, 1):
            previous, distance[j] = distance[j], min(distance[j] + 1, distance[j - 1] + 1, previous + (r != h))
    return distance[len(hyp)] / len(ref)


def client(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url + "/v1", api_key="none", max_retries=0)


def jfk_repeated(times: int) -> bytes:
    """jfk.wav's samples `times` over, as one WAV file."""
    with wave.open(str(SAMPLES / "jfk.wav")) as source:
        params, frames = source.getparams(), source.readframes(source.getnframes())
    out = io.BytesIO()
    with wave.open(out, "wb") as target:
        target.setparams(params)
        target.writeframes(frames * times)
    return out.getvalue()


@pytest.mark.parametrize("name", ["jfk.wav", "jfk.mp3"])
def test_a_recording_is_transcribed_word_for_word(base_url: str, name: str) -> None:
    with open(SAMPLES / name, "rb") as file:
        result = client(base_url).audio.transcriptions.create(model="whisper-1", file=file)
    assert word_error_rate(JFK, result.text) <= 0.10, result.text
    assert result.usage.type == "duration" and result.usage.seconds == 11


def test_every_response_format(base_url: str) -> None:
    def transcribe(response_format: str, **extra):
        with open(SAMPLES / "jfk.wav", "rb") as file:
            return client(base_url).audio.transcriptions.create(model="whisper-1", file=file, response_format=response_format, **extra)

    assert word_error_rate(JFK, transcribe("text")) <= 0.10
    for response_format, separator in (("srt", ","), ("vtt", ".")):
        subtitles = transcribe(response_format)
        times = re.findall(rf"(\d\d):(\d\d):(\d\d){re.escape(separator)}(\d\d\d) --> (\d\d):(\d\d):(\d\d){re.escape(separator)}(\d\d\d)", subtitles)
        assert len(times) >= 1, subtitles
        seconds = [(int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000) for cue in times for h, m, s, ms in (cue[:4], cue[4:])]
        assert seconds == sorted(seconds) and seconds[-1] <= 11.5, subtitles
        assert subtitles.startswith("WEBVTT\n\n") if response_format == "vtt" else subtitles.startswith("1\n00:00:00,000 --> ")
        text = " ".join(line for line in subtitles.splitlines() if line and "-->" not in line and not line.isdigit() and line != "WEBVTT")
        assert word_error_rate(JFK, text) <= 0.10, subtitles
    verbose = transcribe("verbose_json", timestamp_granularities=["segment"])
    assert verbose.language == "english" and verbose.duration == pytest.approx(11.0)
    assert word_error_rate(JFK, verbose.text) <= 0.10
    assert len(verbose.segments) >= 1 and verbose.segments[0].start == 0
    for before, after in zip(verbose.segments, verbose.segments[1:]):
        assert before.end <= after.start + 0.01 and after.id == before.id + 1
    segment = verbose.segments[0]
    assert segment.tokens and segment.avg_logprob < 0 and segment.compression_ratio > 0 and 0 <= segment.no_speech_prob <= 1


def test_a_streamed_transcription_sends_deltas_then_the_whole_text(base_url: str) -> None:
    with open(SAMPLES / "jfk.mp3", "rb") as file:
        events = list(client(base_url).audio.transcriptions.create(model="whisper-1", file=file, stream=True))
    assert [event.type for event in events[:-1]] == ["transcript.text.delta"] * (len(events) - 1) and len(events) >= 2
    assert events[-1].type == "transcript.text.done"
    assert "".join(event.delta for event in events[:-1]) == events[-1].text
    assert word_error_rate(JFK, events[-1].text) <= 0.10


def post(base_url: str, files: dict, data: dict | None = None, path: str = "transcriptions") -> requests.Response:
    return requests.post(f"{base_url}/v1/audio/{path}", files=files, data=data or {}, timeout=60)


@pytest.mark.parametrize("files, data, param", [
    ({"file": ("speech.wav", b"")}, {}, "file"),
    ({"file": ("notes.txt", b"not audio at all, just some text " * 50)}, {}, "file"),
    ({"model": (None, "whisper-1")}, {}, "file"),
    ({"file": ("jfk.wav", (SAMPLES / "jfk.wav").read_bytes())}, {"response_format": "docx"}, "response_format"),
    ({"file": ("jfk.wav", (SAMPLES / "jfk.wav").read_bytes())}, {"temperature": "2"}, "temperature"),
    ({"file": ("jfk.wav", (SAMPLES / "jfk.wav").read_bytes())}, {"language": "klingon"}, "language"),
    ({"file": ("jfk.wav", (SAMPLES / "jfk.wav").read_bytes())}, {"made_up": "1"}, "made_up"),
    ({"file": ("jfk.wav", (SAMPLES / "jfk.wav").read_bytes())}, {"timestamp_granularities[]": "word", "response_format": "verbose_json"}, "timestamp_granularities[]"),
])
def test_bad_uploads_are_400s_naming_the_field(base_url: str, files: dict, data: dict, param: str) -> None:
    response = post(base_url, files, data)
    assert response.status_code == 400 and response.json()["error"]["param"] == param, response.text


def test_json_bodies_are_refused(base_url: str) -> None:
    as_json = requests.post(base_url + "/v1/audio/transcriptions", json={"file": "jfk.wav"}, timeout=30)
    assert as_json.status_code == 400 and as_json.json()["error"]["param"] == "file"


def german(text: str, tmp_path) -> bytes:
    """`text` spoken in German by espeak-ng (installed by the test setup; a separate program,
    used by the tests only)."""
    target = tmp_path / "german.wav"
    subprocess.run(["espeak-ng", "-v", "de", "-s", "140", "-w", str(target), text], check=True)
    return target.read_bytes()


GERMAN = "Guten Morgen. Ich möchte heute ein Buch in der Bibliothek lesen."


def test_a_german_recording_is_heard_as_german(base_url: str, tmp_path) -> None:
    result = client(base_url).audio.transcriptions.create(
        model="whisper-1", file=("german.wav", german(GERMAN, tmp_path)), response_format="verbose_json")
    assert result.language == "german", result
    assert "guten morgen" in result.text.lower(), result.text


def test_a_german_recording_is_translated_into_english(base_url: str, tmp_path) -> None:
    result = client(base_url).audio.translations.create(model="whisper-1", file=("german.wav", german(GERMAN, tmp_path)))
    # Loose: base's confidence on espeak-ng's voice sits near whisper's fallback threshold, and
    # the rest of the sentence varies with it ("go to the library", "invite you to the library").
    assert "good morning" in result.text.lower(), result.text


def test_a_sampled_transcription_beside_a_chat_stream_finishes(base_url: str) -> None:
    # With a temperature, whisper.cpp runs five decoders and calls back from worker threads;
    # only its own thread may give the CPU turn back (a worker doing so once deadlocked it).
    done = threading.Event()

    def chat() -> None:
        while not done.is_set():
            client(base_url).chat.completions.create(
                model="x", messages=[{"role": "user", "content": "Count from 1 to 50."}], max_tokens=60, temperature=0)

    chatting = threading.Thread(target=chat, daemon=True)
    chatting.start()
    try:
        for _ in range(2):
            heard = requests.post(f"{base_url}/v1/audio/transcriptions", files={"file": ("jfk.wav", (SAMPLES / "jfk.wav").read_bytes())},
                                  data={"temperature": "0.8"}, timeout=120)
            assert heard.status_code == 200, heard.text
    finally:
        done.set()
        chatting.join(timeout=120)


def test_limits_and_an_english_only_model() -> None:
    process, url = start("--max-audio-seconds", "20", "--max-audio-size", "2000000",
                         "--whisper-model", "models/whisper/ggml-tiny.en.bin", log="hearth-audio-limits.log")
    try:
        assert wait_until_serving(process, url)
        too_long = post(url, {"file": ("long.wav", jfk_repeated(2))})
        assert too_long.status_code == 400 and too_long.json()["error"]["param"] == "file" and "20 seconds" in too_long.text
        too_big = post(url, {"file": ("big.wav", jfk_repeated(6))})
        assert too_big.status_code == 413, too_big.text
        heard = post(url, {"file": ("jfk.wav", (SAMPLES / "jfk.wav").read_bytes())})
        assert heard.status_code == 200 and word_error_rate(JFK, heard.json()["text"]) <= 0.10
        # tiny.en hears English only: other languages and translation are refused by name.
        french = post(url, {"file": ("jfk.wav", (SAMPLES / "jfk.wav").read_bytes())}, {"language": "fr"})
        assert french.status_code == 400 and french.json()["error"]["param"] == "language"
        translated = post(url, {"file": ("jfk.wav", (SAMPLES / "jfk.wav").read_bytes())}, path="translations")
        assert translated.status_code == 400 and "English-only" in translated.json()["error"]["message"]
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_chat_stream_keeps_decoding_while_a_long_recording_is_transcribed(base_url: str) -> None:
    arrivals: list[float] = []

    def chat() -> None:
        stream = client(base_url).chat.completions.create(
            model="x", messages=[{"role": "user", "content": "Count from 1 to 300, one number per line."}],
            max_tokens=300, temperature=0, stream=True, extra_body={"ban_eos_token": True})
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                arrivals.append(time.monotonic())

    chatting = threading.Thread(target=chat, daemon=True)
    chatting.start()
    deadline = time.monotonic() + 120
    while not arrivals:
        assert time.monotonic() < deadline and chatting.is_alive(), "the chat stream never started"
        time.sleep(0.05)
    started = time.monotonic()
    result = post(base_url, {"file": ("long.wav", jfk_repeated(8))}, {"response_format": "verbose_json"})
    ended = time.monotonic()
    chatting.join(timeout=300)
    assert result.status_code == 200, result.text
    assert word_error_rate(" ".join([JFK] * 8), result.json()["text"]) <= 0.15
    during = [t for t in arrivals if started <= t <= ended]
    # The chat got its turns while the recording was transcribed: it did not stop and wait.
    assert len(during) >= min(20, len([t for t in arrivals if t >= started])), (len(during), len(arrivals), ended - started)


def converted(suffix: str, *codec: str) -> bytes:
    """jfk.wav in another container, made by ffmpeg (installed by the test setup)."""
    return subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(SAMPLES / "jfk.wav"), *codec, "-f", suffix, "pipe:1"],
                          check=True, capture_output=True).stdout


CONTAINERS = [("ogg", ("-c:a", "libopus")), ("webm", ("-c:a", "libopus")), ("ipod", ("-c:a", "aac", "-movflags", "frag_keyframe"))]


@pytest.mark.parametrize("suffix,codec", CONTAINERS)
def test_other_containers_are_read_through_ffmpeg(base_url: str, suffix: str, codec: tuple[str, ...]) -> None:
    result = client(base_url).audio.transcriptions.create(model="whisper-1", file=(f"jfk.{suffix}", converted(suffix, *codec)))
    assert word_error_rate(JFK, result.text) <= 0.10, result.text


def test_an_m4a_with_its_index_at_the_end_is_read(base_url: str, tmp_path) -> None:
    # An ordinary .m4a keeps its index after the audio: ffmpeg must read it from a file, not a pipe.
    target = tmp_path / "jfk.m4a"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(SAMPLES / "jfk.wav"), "-c:a", "aac", str(target)], check=True)
    assert target.read_bytes()[4:8] == b"ftyp"
    result = client(base_url).audio.transcriptions.create(model="whisper-1", file=("jfk.m4a", target.read_bytes()))
    assert word_error_rate(JFK, result.text) <= 0.10, result.text


def test_without_ffmpeg_other_containers_and_aac_are_refused_by_name() -> None:
    process, url = start(env={"HEARTH_FFMPEG": ""})
    try:
        assert wait_until_serving(process, url)
        for suffix, codec in CONTAINERS[:2]:
            refused = post(url, {"file": (f"jfk.{suffix}", converted(suffix, *codec))}, {})
            assert refused.status_code == 400 and refused.json()["error"]["param"] == "file", refused.text
            message = refused.json()["error"]["message"]
            assert ("Ogg" in message or "WebM" in message) and "ffmpeg" in message, message
        speech = requests.post(url + "/v1/audio/speech", json={"input": "Hi.", "voice": "alloy", "response_format": "aac"}, timeout=30)
        assert speech.status_code == 400 and speech.json()["error"]["param"] == "response_format", speech.text
        # Hearth's own formats need nothing else.
        assert requests.post(url + "/v1/audio/speech", json={"input": "Hi.", "voice": "alloy"}, timeout=30).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
