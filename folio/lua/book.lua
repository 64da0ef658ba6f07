-- folio's pandoc filter, run after citeproc.
-- 1. Gives every heading an id scoped to its chapter (auto_identifiers is off, so "Then" in two
--    chapters cannot collide): <chapter-id>-<slug>. Explicit ids are kept.
-- 2. For the paged editions (metadata folio-notes: inline), turns each note into an inline
--    span.footnote that WeasyPrint floats to the foot of the page.
-- Chapter boundaries are the raw HTML markers <!--folio:begin:ID--> written by folio.pandoc.

local chapter = "book"
local used = {}
local inline_notes = false

local function slug(text)
  local s = pandoc.text.lower(text)
  s = s:gsub("[^%w%s%-]", ""):gsub("%s+", "-"):gsub("%-+", "-"):gsub("^%-", ""):gsub("%-$", "")
  if s == "" then s = "section" end
  return s
end

local function unique(id)
  local candidate, n = id, 1
  while used[candidate] do
    n = n + 1
    candidate = id .. "-" .. n
  end
  used[candidate] = true
  return candidate
end

function Meta(meta)
  if meta["folio-notes"] and pandoc.utils.stringify(meta["folio-notes"]) == "inline" then
    inline_notes = true
  end
end

local function block(el)
  if el.t == "RawBlock" and el.format == "html" then
    local id = el.text:match("<!%-%-folio:begin:([%w%-_]+)%-%->")
    if id then chapter = id end
  elseif el.t == "Header" then
    if el.identifier == "" then
      el.identifier = unique(chapter .. "-" .. slug(pandoc.utils.stringify(el.content)))
    else
      used[el.identifier] = true
    end
    return el
  end
  return nil
end

local function note(el)
  if not inline_notes then return nil end
  local inlines = pandoc.utils.blocks_to_inlines(el.content, {pandoc.Space()})
  -- A word joiner keeps the note call on the line of the word it follows.
  return {pandoc.Str("\u{2060}"), pandoc.Span(inlines, {class = "footnote"})}
end

return {
  {Meta = Meta},
  {Pandoc = function(doc)
    doc.blocks = doc.blocks:walk({
      RawBlock = block,
      Header = block,
    })
    if inline_notes then
      doc.blocks = doc.blocks:walk({Note = note})
    end
    return doc
  end},
}
