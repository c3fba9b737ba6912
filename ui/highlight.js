// A small code highlighter for the languages models write most: one tokenizer for C-like,
// Python-like and shell-like syntax (comments, strings, numbers, keywords). It only wraps text
// nodes in spans with a class; it never parses code as markup.
const KEYWORDS = new Set((
  "abstract and as async await break case catch class const continue def default defer del delete do elif else enum " +
  "except export extends extension false final finally fn for from func function go guard if impl import in interface is " +
  "lambda let loop match mod mut new nil none not null or package pass private protected pub public raise return self " +
  "static struct super switch this throw throws true try type typeof undefined use var void where while with yield " +
  "None True False int float str bool char string echo fi then done esac"
).split(" "));

const HASH_COMMENT = new Set(["python", "py", "sh", "bash", "shell", "zsh", "ruby", "rb", "yaml", "yml", "toml", "r", "perl", "makefile", "dockerfile", ""]);

const TOKEN = /(\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|(#[^\n]*)|("""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?|`(?:\\.|[^`\\])*`?)|(\b(?:0x[\da-fA-F_]+|\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?)\b)|([A-Za-z_][\w]*)/g;

/** `code` as a fragment of text nodes and highlighted spans. */
export function highlight(code, language) {
  const fragment = document.createDocumentFragment();
  const lang = (language || "").toLowerCase();
  const hashComments = HASH_COMMENT.has(lang);
  let last = 0;
  let plain = "";
  const flush = () => {
    if (plain) fragment.appendChild(document.createTextNode(plain));
    plain = "";
  };
  const span = (className, text) => {
    flush();
    const node = document.createElement("span");
    node.className = className;
    node.textContent = text;
    fragment.appendChild(node);
  };
  for (const match of code.matchAll(TOKEN)) {
    plain += code.slice(last, match.index);
    last = match.index + match[0].length;
    if (match[1] && !hashComments) span("tok-com", match[0]);
    else if (match[2] && hashComments) span("tok-com", match[0]);
    else if (match[3]) span("tok-str", match[0]);
    else if (match[4]) span("tok-num", match[0]);
    else if (match[5] && KEYWORDS.has(match[5])) span("tok-kw", match[0]);
    else plain += match[0];
  }
  plain += code.slice(last);
  flush();
  return fragment;
}
