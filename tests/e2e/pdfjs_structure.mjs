// What Mozilla pdf.js (pdfjs-dist, pinned in package-lock.json) reads from a tagged PDF: for each
// page, getStructTree(), getTextContent({includeMarkedContent: true}) and getAnnotations().
//
// Usage: node tests/e2e/pdfjs_structure.mjs FILE.pdf   -> one JSON object on stdout:
//   version, pages,
//   chars: {total, in_tree, artifact, unreached, outside}   non-space characters of text, by where they are:
//          in marked content the structure tree reaches / in /Artifact / in marked content with an MCID the
//          tree does not reach / outside any marked content,
//   unreached_mcids: marked-content sequences with an MCID the tree does not reach (with or without text),
//   links: {annotations, in_link, in_link_with_text, link_elements, link_elements_without_text},
//   examples: a few of each kind of fault, for the test's message.
// It only counts what the library returns; it judges nothing.

import * as pdfjs from "pdfjs-dist/legacy/build/pdf.mjs";
import { readFileSync } from "node:fs";

const file = process.argv[2];
const data = new Uint8Array(readFileSync(file));
const doc = await pdfjs.getDocument({ data, disableFontFace: true, useSystemFonts: false, isEvalSupported: false,
                                      verbosity: 0 }).promise;

const nonSpace = (s) => s.replace(/\s+/g, "").length;
const out = {
  version: pdfjs.version, pages: doc.numPages,
  chars: { total: 0, in_tree: 0, artifact: 0, unreached: 0, outside: 0 },
  unreached_mcids: 0,
  links: { annotations: 0, in_link: 0, in_link_with_text: 0, link_elements: 0, link_elements_without_text: 0 },
  examples: { unreached: [], annotations_not_in_link: [], links_without_text: [] },
};
const note = (list, item) => { if (list.length < 5) list.push(item); };

for (let n = 1; n <= doc.numPages; n++) {
  const page = await doc.getPage(n);
  const tree = await page.getStructTree();
  const content = await page.getTextContent({ includeMarkedContent: true });
  const annotations = (await page.getAnnotations()).filter((a) => a.subtype === "Link");

  // Text per marked-content id, and where each piece of text sits.
  const textOf = new Map();
  const stack = [];
  const reached = new Set();
  const walk = (node, visit) => { visit(node); for (const kid of node.children || []) walk(kid, visit); };
  if (tree) walk(tree, (node) => { if (node.type === "content") reached.add(node.id); });
  const seenIds = new Set();
  for (const item of content.items) {
    if (item.type === "beginMarkedContent" || item.type === "beginMarkedContentProps") {
      stack.push({ tag: item.tag, id: item.id ?? null });
      if (item.id) seenIds.add(item.id);
      continue;
    }
    if (item.type === "endMarkedContent") { stack.pop(); continue; }
    const chars = nonSpace(item.str || "");
    if (!chars) continue;
    out.chars.total += chars;
    const withId = [...stack].reverse().find((m) => m.id);
    if (stack.some((m) => m.tag === "Artifact")) out.chars.artifact += chars;
    else if (!withId) out.chars.outside += chars;
    else if (reached.has(withId.id)) {
      out.chars.in_tree += chars;
      textOf.set(withId.id, (textOf.get(withId.id) || "") + item.str);
    } else {
      out.chars.unreached += chars;
      note(out.examples.unreached, `p${n} ${withId.id} "${item.str.trim()}"`);
    }
  }
  for (const id of seenIds) if (!reached.has(id)) out.unreached_mcids += 1;

  // Link elements, their text, and the annotations hanging from them.
  const inLink = new Map();        // annotation id -> the Link node that holds it
  const textBelow = (node) => {
    let text = "";
    walk(node, (k) => { if (k.type === "content") text += textOf.get(k.id) || ""; });
    return text.trim();
  };
  if (tree) {
    walk(tree, (node) => {
      if (node.role !== "Link") return;
      out.links.link_elements += 1;
      const text = textBelow(node) || (node.alt || "").trim();
      if (!text) {
        out.links.link_elements_without_text += 1;
        note(out.examples.links_without_text, `p${n}`);
      }
      for (const kid of node.children || []) {
        if (kid.type === "annotation" || kid.type === "object") inLink.set(kid.id, text);
      }
    });
  }
  for (const a of annotations) {
    out.links.annotations += 1;
    if (inLink.has(a.id)) {
      out.links.in_link += 1;
      if (inLink.get(a.id)) out.links.in_link_with_text += 1;
    } else {
      note(out.examples.annotations_not_in_link, `p${n} ${a.id} ${a.url || a.dest || ""}`);
    }
  }
  page.cleanup();
}
await doc.destroy();
process.stdout.write(JSON.stringify(out) + "\n");
