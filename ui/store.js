// Conversations and settings, kept in this browser's localStorage (nothing leaves the machine
// but the requests the page makes to this server).
const CONVERSATIONS = "hearth.conversations";
const SETTINGS = "hearth.settings";

function read(key, fallback) {
  try {
    const value = JSON.parse(localStorage.getItem(key));
    return value ?? fallback;
  } catch {
    return fallback;
  }
}

/** Every stored conversation, most recently changed first. */
export function loadConversations() {
  const list = read(CONVERSATIONS, []);
  return Array.isArray(list) ? list.filter(isConversation).sort((a, b) => b.updated - a.updated) : [];
}

export function saveConversations(list) {
  localStorage.setItem(CONVERSATIONS, JSON.stringify(list));
}

export function loadSettings() {
  return read(SETTINGS, {});
}

export function saveSettings(settings) {
  localStorage.setItem(SETTINGS, JSON.stringify(settings));
}

export function newConversation() {
  const now = Date.now();
  return { id: crypto.randomUUID ? crypto.randomUUID() : String(now) + Math.random(), title: "New chat", created: now, updated: now, messages: [] };
}

/** A conversation as export/import reads it: an id, a title and a list of messages. */
export function isConversation(value) {
  return value && typeof value.id === "string" && typeof value.title === "string" && Array.isArray(value.messages)
    && value.messages.every((message) => message && typeof message.role === "string" && typeof message.content === "string");
}

/**
 * Adds imported conversations (an exported file: a list, or `{conversations: [...]}`) to
 * `list`; an imported conversation with an id already present replaces it. Returns the count.
 */
export function mergeImported(list, imported) {
  const items = Array.isArray(imported) ? imported : imported && imported.conversations;
  if (!Array.isArray(items)) throw new Error("The file holds no conversations.");
  const valid = items.filter(isConversation);
  for (const conversation of valid) {
    const at = list.findIndex((existing) => existing.id === conversation.id);
    const copy = { created: Date.now(), updated: Date.now(), ...conversation };
    if (at >= 0) list[at] = copy;
    else list.push(copy);
  }
  return valid.length;
}
