// Markdown to DOM nodes, for model output. Every piece of text goes in through textContent or a
// text node, never innerHTML, so nothing a model writes can become markup or script. Built for
// streaming: an unclosed code fence renders as a code block in progress.
import { highlight } from "./highlight.js";

const el = (tag, className) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
};

/** Renders `text` into a new DocumentFragment. */
export function renderMarkdown(text) {
  const fragment = document.createDocumentFragment();
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const fence = line.match(/^\s{0,3}(`{3,}|~{3,})\s*([\w+#.-]*)/);
    if (fence) {
      const code = [];
      i += 1;
      while (i < lines.length && !lines[i].trimStart().startsWith(fence[1])) code.push(lines[i++]);
      i += 1;
      fragment.appendChild(codeBlock(code.join("\n"), fence[2]));
      continue;
    }
    if (!line.trim()) { i += 1; continue; }
    const heading = line.match(/^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/);
    if (heading) {
      const node = el("h" + Math.min(6, heading[1].length + 2));
      appendInline(node, heading[2]);
      fragment.appendChild(node);
      i += 1;
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) { fragment.appendChild(el("hr")); i += 1; continue; }
    if (isTableStart(lines, i)) { i = table(lines, i, fragment); continue; }
    if (/^\s{0,3}>/.test(line)) {
      const quoted = [];
      while (i < lines.length && /^\s{0,3}>/.test(lines[i])) quoted.push(lines[i++].replace(/^\s{0,3}>\s?/, ""));
      const quote = el("blockquote");
      quote.appendChild(renderMarkdown(quoted.join("\n")));
      fragment.appendChild(quote);
      continue;
    }
    if (listItem(line)) { i = list(lines, i, fragment); continue; }
    const paragraph = [];
    while (i < lines.length && lines[i].trim() && !startsBlock(lines, i)) paragraph.push(lines[i++].trim());
    const node = el("p");
    paragraph.forEach((part, index) => {
      if (index) node.appendChild(el("br"));
      appendInline(node, part);
    });
    fragment.appendChild(node);
  }
  return fragment;
}

function startsBlock(lines, i) {
  const line = lines[i];
  return /^\s{0,3}(`{3,}|~{3,}|#{1,6}\s|>)/.test(line) || listItem(line) !== null || isTableStart(lines, i);
}

function listItem(line) {
  const match = line.match(/^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/);
  return match ? { indent: match[1].length, ordered: /\d/.test(match[2]), start: parseInt(match[2], 10), text: match[3] } : null;
}

// A list and the lists nested in it (deeper indentation), up to the first line that is neither.
function list(lines, i, parent) {
  const first = listItem(lines[i]);
  const node = el(first.ordered ? "ol" : "ul");
  if (first.ordered && first.start !== 1) node.start = first.start;
  let current = null;
  while (i < lines.length) {
    const item = listItem(lines[i]);
    if (item && item.indent <= first.indent + 1 && item.ordered === first.ordered) {
      current = el("li");
      appendInline(current, item.text);
      node.appendChild(current);
      i += 1;
    } else if (item && item.indent > first.indent && current) {
      i = list(lines, i, current);
    } else if (current && lines[i].trim() && /^\s{2,}/.test(lines[i]) && !startsBlock(lines, i)) {
      current.appendChild(el("br"));
      appendInline(current, lines[i].trim());
      i += 1;
    } else {
      break;
    }
  }
  parent.appendChild(node);
  return i;
}

const cells = (line) => line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((cell) => cell.trim());

function isTableStart(lines, i) {
  return i + 1 < lines.length && lines[i].includes("|") && /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(lines[i + 1]);
}

function table(lines, i, parent) {
  const head = cells(lines[i]);
  const aligns = cells(lines[i + 1]).map((cell) => (cell.endsWith(":") ? (cell.startsWith(":") ? "center" : "right") : "left"));
  const node = el("table");
  const thead = el("thead");
  const headRow = el("tr");
  head.forEach((text, column) => {
    const th = el("th");
    th.style.textAlign = aligns[column] || "left";
    appendInline(th, text);
    headRow.appendChild(th);
  });
  thead.appendChild(headRow);
  node.appendChild(thead);
  const body = el("tbody");
  i += 2;
  while (i < lines.length && lines[i].includes("|") && lines[i].trim()) {
    const row = el("tr");
    const values = cells(lines[i]);
    head.forEach((_, column) => {
      const td = el("td");
      td.style.textAlign = aligns[column] || "left";
      appendInline(td, values[column] || "");
      row.appendChild(td);
    });
    body.appendChild(row);
    i += 1;
  }
  node.appendChild(body);
  parent.appendChild(node);
  return i;
}

function codeBlock(code, language) {
  const pre = el("pre");
  const node = el("code");
  if (language) {
    node.dataset.language = language;
    const label = el("span", "lang");
    label.textContent = language;
    label.setAttribute("aria-hidden", "true");
    pre.appendChild(label);
  }
  node.appendChild(highlight(code, language));
  pre.appendChild(node);
  const copy = el("button", "copy");
  copy.type = "button";
  copy.textContent = "Copy";
  copy.setAttribute("aria-label", "Copy the code");
  copy.dataset.code = code;
  pre.appendChild(copy);
  return pre;
}

// Inline spans: `code`, **strong**, *em* / _em_, ~~del~~, [text](http…) links. Text between
// them is added as text nodes.
const INLINE = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)|\*\*(?=\S)([\s\S]*?\S)\*\*|__(?=\S)([\s\S]*?\S)__|\*(?=\S)([^*]*?\S)\*|(?<![\w])_(?=\S)([^_]*?\S)_(?![\w])|~~(?=\S)([\s\S]*?\S)~~|\[([^\]]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;

export function appendInline(parent, text) {
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
    last = match.index + match[0].length;
    if (match[1]) {
      const code = el("code");
      code.textContent = match[2].replace(/^ (.*) $/, "$1");
      parent.appendChild(code);
    } else if (match[3] !== undefined || match[4] !== undefined) {
      const strong = el("strong");
      appendInline(strong, match[3] ?? match[4]);
      parent.appendChild(strong);
    } else if (match[5] !== undefined || match[6] !== undefined) {
      const em = el("em");
      appendInline(em, match[5] ?? match[6]);
      parent.appendChild(em);
    } else if (match[7] !== undefined) {
      const del = el("del");
      appendInline(del, match[7]);
      parent.appendChild(del);
    } else {
      const href = match[9] ?? match[10];
      const label = match[8] ?? match[10];
      if (/^(https?:|mailto:)/i.test(href)) {
        const link = el("a");
        link.href = href;
        link.rel = "noopener noreferrer";
        link.target = "_blank";
        link.textContent = label;
        parent.appendChild(link);
      } else {
        parent.appendChild(document.createTextNode(match[0]));
      }
    }
  }
  if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
}
