-- folio's pandoc filter, run after citeproc.
-- 1. Gives every heading an id scoped to its chapter (auto_identifiers is off, so "Then" in two
--    chapters cannot collide): <chapter-id>-<slug>. Explicit ids are kept.
-- 2. For the paged editions (metadata folio-notes: inline), turns each note into an inline
--    span.footnote that WeasyPrint floats to the foot of the page.
-- 3. Second line of defence (see docs/threat-model.md): a link whose target is not https, http,
--    mailto, tel or a #anchor, an image that is not a local file, and any attribute outside the
--    allow-list are made inert (the link keeps its text, the image becomes its alt text), and
--    each is reported on stderr as "folio-refused<TAB>chapter<TAB>what", which folio.pandoc turns
--    into an error. The source checks (folio.checks) should have refused them already.
--    Keep the lists equal to folio/safety.py.
-- Chapter boundaries are the raw HTML markers <!--folio:begin:ID--> written by folio.pandoc.

local chapter = "book"
local used = {}
local inline_notes = false

local allowed_schemes = {https = true, http = true, mailto = true, tel = true}
local allowed_attributes = {alt = true, lang = true, dir = true,
                            ["entry-spacing"] = true, ["line-spacing"] = true, ["hanging-indent"] = true}

local function refuse(what)
  io.stderr:write("folio-refused\t" .. chapter .. "\t" .. what .. "\n")
end

-- The target as a browser reads it: controls, spaces and invisible format characters removed.
local function visible(target)
  local s = target:gsub("[%z\1-\32\127]", "")
  for _, cp in ipairs({0xAD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A, 0x202B,
                       0x202C, 0x202D, 0x202E, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF}) do
    s = s:gsub(utf8.char(cp), "")
  end
  return s
end

local function safe_link(target)
  local s = visible(target)
  if s:sub(1, 1) == "#" and #s > 1 then return true end
  local scheme = s:match("^(%a[%w+.-]*):")
  return scheme ~= nil and allowed_schemes[scheme:lower()] == true
end

local function safe_image(src)
  local s = visible(src)
  return s ~= "" and s:match("^(%a[%w+.-]*):") == nil and s:sub(1, 2) ~= "//"
end

local function clean_attributes(el)
  if el.attributes == nil then return false end
  local changed = false
  for key, _ in pairs(el.attributes) do
    if not allowed_attributes[key] then
      refuse("attribute '" .. key .. "' on " .. tostring(el.t))
      el.attributes[key] = nil
      changed = true
    end
  end
  return changed
end

local sanitise = {
  Link = function(el)
    clean_attributes(el)
    if not safe_link(el.target) then
      refuse("link to '" .. el.target .. "'")
      return pandoc.Span(el.content, {class = "inert-link"})
    end
    return el
  end,
  Image = function(el)
    clean_attributes(el)
    if not safe_image(el.src) then
      refuse("image '" .. el.src .. "'")
      return pandoc.Span(pandoc.Str(el.attributes.alt or pandoc.utils.stringify(el.caption)), {class = "inert-image"})
    end
    return el
  end,
}
for _, t in ipairs({"Div", "Span", "Header", "Code", "CodeBlock", "Table", "Figure"}) do
  sanitise[t] = function(el)
    if clean_attributes(el) then return el end
    return nil
  end
end

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

-- 4. Paged editions: a printed web address may break only after '/', '.', '-', '+', '=' or '&'. Line breaking also
--    allows a break after '?' and '!' (class EX), so a word joiner (U+2060, never drawn) follows them;
--    and it allows none after a '/' before a digit, so a zero-width space (U+200B) follows each '/' of
--    the path (not the '//' of the scheme). The stylesheet then needs no overflow-wrap: anywhere.
local function glue_address(el)
  if not inline_notes then return nil end
  local text = el.text
  local scheme, rest = text:match("^(https?://)(.*)$")
  if not scheme then
    if not text:match("^www%.") then return nil end
    scheme, rest = "", text
  end
  rest = rest:gsub("([?!])(.)", "%1\u{2060}%2"):gsub("/(.)", "/\u{200B}%1")
  -- A query string or a long slug ('launching+the+artificial+intelligence+playbook...') longer than
  -- 30 characters between two '/' has nowhere to break: it may also break after '+', '=' and '&', as
  -- a space would (Chicago 6.17). A shorter part moves whole to the next line, as before.
  rest = rest:gsub("[^/]+", function(part)
    if utf8.len(part) > 30 then return (part:gsub("([+=&])([^\u{200B}])", "%1\u{200B}%2")) end
    return part
  end)
  if scheme .. rest == text then return nil end
  return pandoc.Str(scheme .. rest)
end

return {
  {Meta = Meta},
  {Pandoc = function(doc)
    -- Sanitise chapter by chapter, so a refusal names its chapter.
    local blocks = pandoc.Blocks({})
    for _, b in ipairs(doc.blocks) do
      if b.t == "RawBlock" and b.format == "html" then
        local id = b.text:match("<!%-%-folio:begin:([%w%-_]+)%-%->")
        if id then chapter = id end
      end
      blocks:insert(pandoc.Blocks({b}):walk(sanitise)[1])
    end
    chapter = "book"
    doc.blocks = blocks:walk({
      RawBlock = block,
      Header = block,
    })
    if inline_notes then
      doc.blocks = doc.blocks:walk({Note = note})
    end
    return doc
  end},
  {Inlines = nbsp, Str = glue_address},   -- after the ids, so a heading's id does not change
}
