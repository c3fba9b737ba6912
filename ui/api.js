// The server's API as the page uses it: JSON calls, a chat completion streamed over
// server-sent events, speech and transcription. The API key, when set, goes in the
// Authorization header.

/** An error the server answered with: its status and OpenAI error envelope's message. */
export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function headers(key, json) {
  const result = {};
  if (json) result["Content-Type"] = "application/json";
  if (key) result.Authorization = "Bearer " + key;
  return result;
}

async function failure(response) {
  let message = response.status + " " + response.statusText;
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) message = body.error.message;
  } catch {
    // Not JSON: the status says enough.
  }
  return new APIError(response.status, message);
}

/** GET a JSON document. */
export async function getJSON(path, key) {
  const response = await fetch(path, { headers: headers(key, false) });
  if (!response.ok) throw await failure(response);
  return response.json();
}

/**
 * Streams a chat completion: calls `onChunk` with each parsed chunk as it arrives. Resolves when
 * the stream ends ([DONE]); rejects with APIError, or with an AbortError when `signal` aborts
 * (the server then stops generating: it notices the closed connection).
 */
export async function streamChat(body, key, signal, onChunk) {
  const response = await fetch("/v1/chat/completions", {
    method: "POST",
    headers: headers(key, true),
    body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
    signal,
  });
  if (!response.ok) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trimStart()).join("\n");
      if (!data) continue;
      if (data === "[DONE]") return;
      const chunk = JSON.parse(data);
      if (chunk.error) throw new APIError(500, chunk.error.message || "The server failed while generating.");
      onChunk(chunk);
    }
  }
}

/** A reply read aloud: the server's speech of `text` as an MP3 Blob. */
export async function speech(text, key) {
  const response = await fetch("/v1/audio/speech", {
    method: "POST",
    headers: headers(key, true),
    body: JSON.stringify({ model: "tts-1", voice: "alloy", input: text, response_format: "mp3" }),
  });
  if (!response.ok) throw await failure(response);
  return response.blob();
}

/** A recording (a WAV Blob) transcribed: its text. */
export async function transcribe(recording, key) {
  const form = new FormData();
  form.append("file", recording, "dictation.wav");
  form.append("model", "whisper-1");
  const response = await fetch("/v1/audio/transcriptions", { method: "POST", headers: headers(key, false), body: form });
  if (!response.ok) throw await failure(response);
  return (await response.json()).text;
}
