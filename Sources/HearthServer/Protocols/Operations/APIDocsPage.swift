/// `GET /docs`: the OpenAPI document as a readable page. Self-contained (no CDN, no external
/// script or font), so it works offline; it reads `/openapi.json` and builds the page with DOM
/// calls only (`textContent`, never `innerHTML`).
enum APIDocsPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Hearth API</title>
        <style>
        body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1rem 2rem; color: #222; }
        h1 { margin-bottom: 0; } .intro { color: #555; }
        details { border: 1px solid #ddd; border-radius: 6px; margin: .5rem 0; padding: .3rem .8rem; }
        summary { cursor: pointer; font-weight: 600; }
        .method { display: inline-block; min-width: 3.5rem; font-family: monospace; text-transform: uppercase; }
        .post { color: #0a6; } .get { color: #06c; }
        .path { font-family: monospace; } .what { font-weight: normal; color: #555; margin-left: .5rem; }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: 14px; }
        th, td { text-align: left; border-bottom: 1px solid #eee; padding: .25rem .5rem; vertical-align: top; }
        td.name { font-family: monospace; white-space: nowrap; } .req { color: #c30; font-size: 12px; }
        h2 { margin-top: 2rem; } h3 { font-size: 15px; margin: .8rem 0 .2rem; }
        code { background: #f4f4f4; padding: 0 .2rem; }
        </style>
        </head>
        <body>
        <h1>Hearth API</h1>
        <p class="intro" id="intro">Loading /openapi.json…</p>
        <div id="operations"></div>
        <script>
        "use strict";
        function el(tag, text, cls) {
          const node = document.createElement(tag);
          if (text !== undefined) node.textContent = text;
          if (cls) node.className = cls;
          return node;
        }
        function resolve(doc, schema) {
          if (schema && schema.$ref) return doc.components.schemas[schema.$ref.split("/").pop()];
          return schema || {};
        }
        function typeOf(doc, schema) {
          schema = resolve(doc, schema);
          if (schema.anyOf) return schema.anyOf.map(s => typeOf(doc, s)).join(" | ");
          if (schema.const !== undefined) return JSON.stringify(schema.const);
          if (schema.enum) return schema.enum.map(v => JSON.stringify(v)).join(" | ");
          const type = Array.isArray(schema.type) ? schema.type.join(" | ") : schema.type;
          if (type === "array") return "array of " + typeOf(doc, schema.items);
          if (type === "object" && schema.additionalProperties) return "object of " + typeOf(doc, schema.additionalProperties);
          return type || "any";
        }
        function notes(schema) {
          const parts = [];
          if (schema.description) parts.push(schema.description);
          if (schema.minimum !== undefined) parts.push("from " + schema.minimum + " to " + schema.maximum);
          if (schema.default !== undefined) parts.push("default " + JSON.stringify(schema.default));
          return parts.join("; ");
        }
        function fields(doc, schema, prefix, rows) {
          schema = resolve(doc, schema);
          const required = new Set(schema.required || []);
          for (const [name, member] of Object.entries(schema.properties || {})) {
            rows.push([prefix + name, typeOf(doc, member), required.has(name), notes(member)]);
            const inner = resolve(doc, member);
            if (inner.type === "object" && inner.properties && prefix.split(".").length < 3) fields(doc, inner, prefix + name + ".", rows);
            if (inner.type === "array" && resolve(doc, inner.items).properties && prefix.split(".").length < 3) {
              fields(doc, inner.items, prefix + name + "[].", rows);
            }
          }
          return rows;
        }
        function table(rows) {
          const t = el("table");
          const head = el("tr");
          for (const title of ["Field", "Type", "Description"]) head.appendChild(el("th", title));
          t.appendChild(head);
          for (const [name, type, required, text] of rows) {
            const row = el("tr");
            const cell = el("td", name, "name");
            if (required) cell.appendChild(el("span", " required", "req"));
            row.appendChild(cell);
            row.appendChild(el("td", type));
            row.appendChild(el("td", text));
            t.appendChild(row);
          }
          return t;
        }
        fetch("openapi.json").then(r => r.json()).then(doc => {
          document.getElementById("intro").textContent = doc.info.description + " Version " + doc.info.version + ".";
          const root = document.getElementById("operations");
          const tags = new Map();
          for (const [path, methods] of Object.entries(doc.paths)) {
            for (const [method, op] of Object.entries(methods)) {
              const tag = (op.tags || ["Other"])[0];
              if (!tags.has(tag)) tags.set(tag, []);
              tags.get(tag).push([path, method, op]);
            }
          }
          for (const [tag, ops] of tags) {
            root.appendChild(el("h2", tag));
            for (const [path, method, op] of ops) {
              const box = el("details");
              const title = el("summary");
              title.appendChild(el("span", method, "method " + method));
              title.appendChild(el("span", path, "path"));
              title.appendChild(el("span", op.summary, "what"));
              if (op.security && op.security.length) title.appendChild(el("span", " (API key)", "what"));
              box.appendChild(title);
              const body = op.requestBody && op.requestBody.content["application/json"].schema;
              if (body) {
                box.appendChild(el("h3", "Request body"));
                box.appendChild(table(fields(doc, body, "", [])));
              }
              for (const [media, content] of Object.entries(op.responses["200"].content || {})) {
                box.appendChild(el("h3", "Response (" + media + ")"));
                const schema = content["x-event-schema"] || content.schema;
                if (content.schema && content.schema.description) box.appendChild(el("p", content.schema.description));
                const rows = fields(doc, schema, "", []);
                if (rows.length) box.appendChild(table(rows));
              }
              box.appendChild(el("h3", "Errors"));
              box.appendChild(el("p", "OpenAI's envelope: {\"error\": {\"message\", \"type\", \"param\", \"code\"}} with a 4xx or 5xx status."));
              root.appendChild(box);
            }
          }
        }).catch(error => { document.getElementById("intro").textContent = "Could not read /openapi.json: " + error; });
        </script>
        </body>
        </html>
        """#
}
