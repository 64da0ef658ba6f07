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

-- 3. Joins a day to its month and a number to its unit with a no-break space, so a line never
--    ends "on 1" with "March" on the next ("1 March 2000", "16.8 million", "19 per cent").
local MONTHS = {}
for _, m in ipairs({"January", "February", "March", "April", "May", "June", "July", "August", "September",
                    "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep",
                    "Sept", "Oct", "Nov", "Dec"}) do MONTHS[m] = true end
local UNITS = {}
for _, u in ipairs({"per", "percent", "million", "billion", "trillion", "bn", "m", "k", "mm", "cm", "km", "kg",
                    "GB", "MB", "TB", "kB", "Mbps", "Gbps", "pt", "px", "hours", "minutes", "seconds"}) do
  UNITS[u] = true
end

local function joins(left, right)
  local last, from = left, 1
  while true do   -- the word after the last no-break space already joined
    local _, stop = left:find("\u{00A0}", from, true)
    if not stop then break end
    last, from = left:sub(stop + 1), stop + 1
  end
  local word = right:gsub("[%p]+$", "")
  if (last:match("^%d%d?$") or last:match("^%d%d?[snrt][tdh]$")) and MONTHS[word] then return true end
  local number = last
  for _, sign in ipairs({"£", "$", "€"}) do
    if number:sub(1, #sign) == sign then number = number:sub(#sign + 1) end
  end
  if number:match("^%d[%d,.]*$") and UNITS[word] then return true end
  if last == "per" and word == "cent" then return true end
  return false
end

local function nbsp(inlines)
  local out = pandoc.List()
  for _, el in ipairs(inlines) do
    local n = #out
    if el.t == "Str" and n >= 2 and (out[n].t == "Space" or out[n].t == "SoftBreak") and out[n - 1].t == "Str"
        and joins(out[n - 1].text, el.text) then
      out:remove(n)
      out[n - 1] = pandoc.Str(out[n - 1].text .. "\u{00A0}" .. el.text)
    else
      out:insert(el)
    end
  end
  return out
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
  {Inlines = nbsp},   -- after the ids, so a heading's id does not change
}
