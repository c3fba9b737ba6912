// Hearth's chat page: conversations, streaming replies, settings. Only the reply being streamed
// is re-rendered, at most once per animation frame.
import { APIError, getJSON, speech, streamChat, transcribe } from "./api.js";
import { renderMarkdown } from "./markdown.js";
import { Recorder, canRecord } from "./recorder.js";
import * as store from "./store.js";

const $ = (id) => document.getElementById(id);
const ui = {
  app: $("app"), sidebar: $("sidebar"), list: $("conversations"), search: $("search"), messages: $("messages"),
  empty: $("empty"), title: $("title"), model: $("model"), prompt: $("prompt"), composer: $("composer"),
  send: $("send"), stop: $("stop"), status: $("status"), settings: $("settings"), keyNeeded: $("key-needed"),
  record: $("record"), voice: $("voice"),
};
const fields = {
  apiKey: $("api-key"), systemPrompt: $("system-prompt"), temperature: $("temperature"), topP: $("top-p"), minP: $("min-p"),
  maxTokens: $("max-tokens"), seed: $("seed"), preset: $("preset"), mode: $("mode"), character: $("character"),
  instructionTemplate: $("instruction-template"),
};

let conversations = store.loadConversations();
let settings = store.loadSettings();
let current = conversations[0] || null;
let generation = null; // { controller, conversation, message }

// ---- Rendering -------------------------------------------------------------------------------

function button(label, action, aria) {
  const node = document.createElement("button");
  node.type = "button";
  node.className = "link";
  node.textContent = label;
  node.dataset.action = action;
  if (aria) node.setAttribute("aria-label", aria);
  return node;
}

function statsText(stats) {
  if (!stats) return "";
  const parts = [];
  if (stats.tokens !== undefined) parts.push(stats.tokens + " tokens");
  if (stats.tokensPerSecond) parts.push(stats.tokensPerSecond.toFixed(1) + " tokens/s");
  if (stats.firstTokenMs !== undefined) parts.push("first token " + (stats.firstTokenMs / 1000).toFixed(2) + " s");
  if (stats.finish && stats.finish !== "stop") parts.push("ended: " + stats.finish);
  return parts.join(" · ");
}

/** Fills a message's node from the message (the whole node: used for one reply at a time). */
function fillMessage(node, message, index, isLast) {
  node.replaceChildren();
  node.className = "message " + message.role + (generation && generation.message === message ? " streaming" : "");
  const role = document.createElement("div");
  role.className = "role";
  role.textContent = message.role === "user" ? "You" : "Assistant";
  node.appendChild(role);
  if (message.reasoning) {
    const details = document.createElement("details");
    details.className = "reasoning";
    details.open = Boolean(generation && generation.message === message && !message.content);
    const summary = document.createElement("summary");
    summary.textContent = "Reasoning";
    const text = document.createElement("div");
    text.className = "text";
    text.textContent = message.reasoning;
    details.append(summary, text);
    node.appendChild(details);
  }
  if (message.toolCalls && message.toolCalls.length) {
    const details = document.createElement("details");
    details.className = "tool-calls";
    details.open = true;
    const summary = document.createElement("summary");
    summary.textContent = "Tool calls";
    details.appendChild(summary);
    for (const call of message.toolCalls) {
      const pre = document.createElement("pre");
      pre.textContent = (call.name || "") + "(" + (call.arguments || "") + ")";
      details.appendChild(pre);
    }
    node.appendChild(details);
  }
  const body = document.createElement("div");
  body.className = "body";
  if (message.role === "user") body.textContent = message.content;
  else body.appendChild(renderMarkdown(message.content));
  node.appendChild(body);
  if (message.error) {
    const error = document.createElement("p");
    error.className = "error";
    error.setAttribute("role", "alert");
    error.textContent = message.error;
    node.appendChild(error);
  }
  const meta = document.createElement("div");
  meta.className = "meta";
  const stats = document.createElement("span");
  stats.className = "stats";
  stats.textContent = statsText(message.stats);
  const actions = document.createElement("span");
  actions.className = "actions";
  if (!generation) {
    if (message.role === "user") actions.append(button("Edit", "edit", "Edit and resend this message"));
    else actions.append(button("Copy", "copy", "Copy this reply"), button("Speak", "speak", "Read this reply aloud"));
    if (message.role === "assistant" && isLast) {
      actions.append(button("Regenerate", "regenerate", "Regenerate this reply"), button("Continue", "continue", "Continue this reply"));
    }
  }
  meta.append(actions, stats);
  node.appendChild(meta);
  node.dataset.index = index;
}

function renderMessages() {
  const nodes = [];
  const messages = current ? current.messages : [];
  messages.forEach((message, index) => {
    const node = document.createElement("article");
    fillMessage(node, message, index, index === messages.length - 1);
    nodes.push(node);
  });
  ui.empty.hidden = nodes.length > 0;
  ui.messages.replaceChildren(ui.empty, ...nodes);
  ui.title.textContent = current ? current.title : "Hearth";
  ui.messages.scrollTop = ui.messages.scrollHeight;
}

function renderList() {
  const query = ui.search.value.trim().toLowerCase();
  const items = conversations
    .filter((c) => !query || c.title.toLowerCase().includes(query) || c.messages.some((m) => m.content.toLowerCase().includes(query)))
    .map((conversation) => {
      const item = document.createElement("li");
      item.dataset.id = conversation.id;
      if (conversation === current) item.className = "current";
      const open = button(conversation.title, "open");
      open.className = "open";
      if (conversation === current) open.setAttribute("aria-current", "true");
      item.append(open, button("✎", "rename", "Rename " + conversation.title), button("✕", "delete", "Delete " + conversation.title));
      return item;
    });
  ui.list.replaceChildren(...items);
}

function setBusy(busy) {
  ui.send.hidden = busy;
  ui.stop.hidden = !busy;
}

function status(text) {
  ui.status.textContent = text || "";
}

// ---- Conversations ---------------------------------------------------------------------------

function persist() {
  try {
    store.saveConversations(conversations);
  } catch (error) {
    status("Could not save conversations in this browser: " + error.message);
  }
}

function select(conversation) {
  current = conversation;
  renderList();
  renderMessages();
  closeSidebar();
}

function startConversation() {
  const conversation = store.newConversation();
  conversations.unshift(conversation);
  return conversation;
}

function touch(conversation) {
  conversation.updated = Date.now();
  conversations.sort((a, b) => b.updated - a.updated);
}

// ---- Generation ------------------------------------------------------------------------------

function numberField(value) {
  return value === "" || value === undefined || value === null ? undefined : Number(value);
}

function requestBody(conversation, continuing) {
  const messages = [];
  if (settings.systemPrompt) messages.push({ role: "system", content: settings.systemPrompt });
  for (const message of conversation.messages) {
    if (message === generation?.message && !continuing) continue;
    messages.push({ role: message.role, content: message.content });
  }
  const body = { model: ui.model.value || undefined, messages };
  const optional = {
    temperature: numberField(settings.temperature), top_p: numberField(settings.topP), min_p: numberField(settings.minP),
    max_tokens: numberField(settings.maxTokens), seed: numberField(settings.seed), preset: settings.preset || undefined,
    mode: settings.mode || undefined, character: settings.character || undefined,
    instruction_template: settings.instructionTemplate || undefined,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined && !Number.isNaN(value)) body[key] = value;
  if (continuing) body.continue_ = true;
  return body;
}

/** Streams a reply into `message` (new, or the last one with `continuing`). */
async function generate(conversation, message, continuing) {
  const controller = new AbortController();
  generation = { controller, conversation, message };
  renderMessages(); // without the other messages' actions while this one streams
  const node = ui.messages.querySelector(`article[data-index="${conversation.messages.indexOf(message)}"]`);
  setBusy(true);
  status("");
  message.error = undefined;
  const body = requestBody(conversation, continuing);
  const started = performance.now();
  let firstToken = null;
  let frame = 0;
  const paint = () => {
    frame = 0;
    const pinned = ui.messages.scrollHeight - ui.messages.scrollTop - ui.messages.clientHeight < 40;
    fillMessage(node, message, conversation.messages.indexOf(message), true);
    if (pinned) ui.messages.scrollTop = ui.messages.scrollHeight;
  };
  const schedule = () => { if (!frame) frame = requestAnimationFrame(paint); };
  const stats = { firstTokenMs: undefined };
  try {
    await streamChat(body, settings.apiKey, controller.signal, (chunk) => {
      const choice = chunk.choices && chunk.choices[0];
      if (choice) {
        const delta = choice.delta || {};
        if ((delta.content || delta.reasoning_content) && firstToken === null) {
          firstToken = performance.now();
          stats.firstTokenMs = firstToken - started;
        }
        if (delta.content) message.content += delta.content;
        if (delta.reasoning_content) message.reasoning = (message.reasoning || "") + delta.reasoning_content;
        for (const call of delta.tool_calls || []) {
          message.toolCalls = message.toolCalls || [];
          const entry = (message.toolCalls[call.index ?? 0] ||= { name: "", arguments: "" });
          if (call.function?.name) entry.name += call.function.name;
          if (call.function?.arguments) entry.arguments += call.function.arguments;
        }
        if (choice.finish_reason) stats.finish = choice.finish_reason;
      }
      if (chunk.usage) {
        stats.tokens = chunk.usage.completion_tokens;
        const seconds = firstToken === null ? 0 : (performance.now() - firstToken) / 1000;
        if (seconds > 0 && stats.tokens > 1) stats.tokensPerSecond = (stats.tokens - 1) / seconds;
      }
      message.stats = { ...stats };
      schedule();
    });
  } catch (error) {
    if (error.name === "AbortError") {
      stats.finish = "stopped";
    } else {
      message.error = error.message;
      if (error instanceof APIError && error.status === 401) openSettings(true);
    }
    message.stats = { ...stats };
  } finally {
    if (frame) cancelAnimationFrame(frame);
    generation = null;
    setBusy(false);
    touch(conversation);
    persist();
    if (conversation === current) renderMessages();
    renderList();
  }
}

function send(text) {
  if (generation || !text.trim()) return;
  if (!current) current = startConversation();
  const conversation = current;
  if (!conversation.messages.length) conversation.title = text.trim().split("\n")[0].slice(0, 60);
  conversation.messages.push({ role: "user", content: text });
  reply(conversation);
}

function reply(conversation) {
  const message = { role: "assistant", content: "" };
  conversation.messages.push(message);
  touch(conversation);
  persist();
  renderList();
  generate(conversation, message, false);
}

function stop() {
  if (generation) generation.controller.abort();
}

// ---- Settings and server lists ---------------------------------------------------------------

function fillSelect(select, names, keep) {
  const first = select.options[0] && select.options[0].value === "" ? [select.options[0]] : [];
  const options = names.map((name) => {
    const option = document.createElement("option");
    option.value = option.textContent = name;
    return option;
  });
  select.replaceChildren(...first, ...options);
  if (keep !== undefined && [...select.options].some((option) => option.value === keep)) select.value = keep;
}

async function loadServerLists() {
  try {
    const models = await getJSON("/v1/models", settings.apiKey);
    // Embedding models are listed too; they cannot chat.
    const chat = models.data.filter((model) => model.owned_by !== "sentence-transformers");
    fillSelect(ui.model, chat.map((model) => model.id), settings.model);
    if (!settings.model && chat[0]) ui.model.value = chat[0].id;
    const options = await getJSON("/v1/internal/chat-options", settings.apiKey);
    fillSelect(fields.preset, options.presets, settings.preset);
    fillSelect(fields.mode, options.modes, settings.mode);
    fillSelect(fields.character, options.characters, settings.character);
    fillSelect(fields.instructionTemplate, options.instruction_templates, settings.instructionTemplate);
    ui.keyNeeded.hidden = true;
    status("");
  } catch (error) {
    if (error instanceof APIError && error.status === 401) openSettings(true);
    else status("Cannot reach the server: " + error.message);
  }
}

const SETTING_FIELDS = ["apiKey", "systemPrompt", "temperature", "topP", "minP", "maxTokens", "seed", "preset", "mode", "character", "instructionTemplate"];

function openSettings(keyNeeded) {
  ui.keyNeeded.hidden = !keyNeeded;
  for (const name of SETTING_FIELDS) fields[name].value = settings[name] ?? fields[name].value ?? "";
  if (!ui.settings.open) {
    // Opened by a failed request, not a click: the prompt may hold focus, and Chrome gives it
    // back after the dialog closes without letting it take input. Taking focus first avoids it.
    document.activeElement?.blur();
    ui.settings.showModal();
  }
  if (keyNeeded) fields.apiKey.focus();
}

function saveSettingsFromForm() {
  const keyChanged = fields.apiKey.value !== (settings.apiKey || "");
  for (const name of SETTING_FIELDS) settings[name] = fields[name].value;
  store.saveSettings(settings);
  if (keyChanged || !ui.keyNeeded.hidden) loadServerLists();
}

// ---- Sidebar on narrow screens ---------------------------------------------------------------

function closeSidebar() {
  ui.sidebar.classList.remove("open");
}

// ---- Events ----------------------------------------------------------------------------------

ui.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = ui.prompt.value;
  ui.prompt.value = "";
  resizePrompt();
  send(text);
});

function resizePrompt() {
  ui.prompt.style.height = "auto";
  ui.prompt.style.height = Math.min(ui.prompt.scrollHeight + 2, window.innerHeight * 0.4) + "px";
}

ui.prompt.addEventListener("input", resizePrompt);
ui.prompt.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.composer.requestSubmit();
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && generation) {
    event.preventDefault();
    stop();
  }
});
ui.stop.addEventListener("click", stop);
$("new-chat").addEventListener("click", () => {
  if (generation) return;
  select(startConversation());
  ui.prompt.focus();
});
$("open-sidebar").addEventListener("click", () => ui.sidebar.classList.add("open"));
$("close-sidebar").addEventListener("click", closeSidebar);
$("open-settings").addEventListener("click", () => openSettings(false));
ui.settings.addEventListener("close", saveSettingsFromForm);
ui.model.addEventListener("change", () => {
  settings.model = ui.model.value;
  store.saveSettings(settings);
  status("Using " + ui.model.value + " (loaded with the next message if it is not yet).");
});
ui.search.addEventListener("input", renderList);

ui.list.addEventListener("click", (event) => {
  const target = event.target.closest("button");
  if (!target || generation) return;
  const item = target.closest("li");
  const conversation = conversations.find((c) => c.id === item.dataset.id);
  if (!conversation) return;
  if (target.dataset.action === "open") select(conversation);
  if (target.dataset.action === "delete") {
    conversations = conversations.filter((c) => c !== conversation);
    if (current === conversation) current = conversations[0] || null;
    persist();
    renderList();
    renderMessages();
  }
  if (target.dataset.action === "rename") {
    const input = document.createElement("input");
    input.value = conversation.title;
    input.setAttribute("aria-label", "New name for " + conversation.title);
    const finish = (save) => {
      if (save && input.value.trim()) conversation.title = input.value.trim();
      persist();
      renderList();
      if (conversation === current) ui.title.textContent = conversation.title;
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") finish(true);
      if (e.key === "Escape") { e.stopPropagation(); finish(false); }
    });
    input.addEventListener("blur", () => finish(true));
    item.replaceChildren(input);
    input.focus();
    input.select();
  }
});

ui.messages.addEventListener("click", async (event) => {
  const target = event.target.closest("button");
  if (!target) return;
  if (target.classList.contains("copy")) {
    await copyText(target.dataset.code);
    target.textContent = "Copied";
    setTimeout(() => { target.textContent = "Copy"; }, 1200);
    return;
  }
  if (generation || !current) return;
  const node = target.closest("article");
  const index = Number(node.dataset.index);
  const message = current.messages[index];
  switch (target.dataset.action) {
    case "copy":
      await copyText(message.content);
      status("Reply copied.");
      break;
    case "regenerate":
      current.messages.splice(index);
      reply(current);
      break;
    case "continue":
      generate(current, message, true);
      break;
    case "edit":
      editMessage(node, index);
      break;
    case "speak":
      await speak(target, node.querySelector(".body").textContent);
      break;
  }
});

// ---- Speech ------------------------------------------------------------------------------------

let speaking = null; // the Speak button whose reply is playing

/** Reads a reply aloud with the server's voice; a second click on its button stops it. */
async function speak(target, text) {
  const again = speaking === target;
  ui.voice.pause();
  if (speaking) speaking.textContent = "Speak";
  speaking = null;
  if (again) return;
  status("Preparing speech…");
  try {
    const audio = await speech(text.slice(0, 4096), settings.apiKey);
    if (ui.voice.src) URL.revokeObjectURL(ui.voice.src);
    ui.voice.src = URL.createObjectURL(audio);
    await ui.voice.play();
    speaking = target;
    target.textContent = "Stop speaking";
    status("");
  } catch (error) {
    status(error.message);
  }
}

ui.voice.addEventListener("ended", () => {
  if (speaking) speaking.textContent = "Speak";
  speaking = null;
});

let recorder = null;

/** Dictation: the first click records, the second transcribes into the message box. */
ui.record.addEventListener("click", async () => {
  if (!recorder) {
    recorder = new Recorder();
    try {
      await recorder.start();
    } catch (error) {
      recorder = null;
      status("The microphone is not available: " + error.message);
      return;
    }
    ui.record.setAttribute("aria-pressed", "true");
    ui.record.setAttribute("aria-label", "Stop recording and transcribe");
    status("Recording… click the microphone again to stop.");
    return;
  }
  const recording = await recorder.stop();
  recorder = null;
  ui.record.setAttribute("aria-pressed", "false");
  ui.record.setAttribute("aria-label", "Dictate: record, then transcribe into the message");
  status("Transcribing…");
  try {
    const text = (await transcribe(recording, settings.apiKey)).trim();
    ui.prompt.value = ui.prompt.value ? ui.prompt.value.trimEnd() + " " + text : text;
    resizePrompt();
    ui.prompt.focus();
    status("");
  } catch (error) {
    status(error.message);
  }
});
ui.record.hidden = !canRecord();

function editMessage(node, index) {
  const message = current.messages[index];
  const area = document.createElement("textarea");
  area.className = "edit";
  area.value = message.content;
  area.setAttribute("aria-label", "Edit the message");
  const resend = button("Send", "resend");
  resend.className = "primary";
  const cancel = button("Cancel", "cancel");
  const body = node.querySelector(".body");
  body.replaceWith(area);
  node.querySelector(".meta").replaceChildren(resend, cancel);
  area.focus();
  resend.addEventListener("click", () => {
    if (!area.value.trim()) return;
    current.messages.splice(index);
    current.messages.push({ role: "user", content: area.value });
    reply(current);
  });
  cancel.addEventListener("click", renderMessages);
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Pages served over plain HTTP to another machine have no clipboard API.
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
}

$("export").addEventListener("click", () => {
  const blob = new Blob([JSON.stringify({ conversations }, null, 2)], { type: "application/json" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = "hearth-conversations.json";
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
});

$("import-file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  event.target.value = "";
  if (!file) return;
  try {
    const count = store.mergeImported(conversations, JSON.parse(await file.text()));
    conversations.sort((a, b) => b.updated - a.updated);
    persist();
    current = conversations[0] || null;
    renderList();
    renderMessages();
    status("Imported " + count + " conversation" + (count === 1 ? "." : "s."));
  } catch (error) {
    status("Import failed: " + error.message);
  }
});

window.addEventListener("storage", (event) => {
  if (event.key !== "hearth.conversations" || generation) return;
  const id = current && current.id;
  conversations = store.loadConversations();
  current = conversations.find((c) => c.id === id) || conversations[0] || null;
  renderList();
  renderMessages();
});

renderList();
renderMessages();
loadServerLists();
ui.prompt.focus();
