-- The Lua reference of bench/run: the module's job written the way most
-- nginx shops would write it today, with Debian's libnginx-mod-http-lua
-- and lua-nginx-redis (lua-resty-redis, installed as "nginx.redis").
-- One EVALSHA per view on a keepalive connection; the script guards like
-- the module's (a missing article or a draft is a 404 and creates no
-- key), counts, and returns the post-increment count and every field
-- (HGETALL) in the same step; the page is the module's default template
-- (templates/article.html) for the fields the benchmark article has,
-- built with table.concat.  bench/run checks that the page is the
-- module's byte for byte but for the count.  docs/performance.md,
-- "The Lua reference".
--
-- Not done as the module does: the image URL's scheme is not checked,
-- invalid UTF-8 is not replaced in the JSON-LD, tags are comma-separated
-- or a JSON array of plain strings only, ngx.escape_uri also escapes
-- !'()* where nginx does not, no per-request deadline but the socket
-- timeout, no 503/Retry-After backoff.

local redis = require "nginx.redis"

local byte = string.byte
local concat = table.concat
local find = string.find
local floor = math.floor
local format = string.format
local gmatch = string.gmatch
local gsub = string.gsub
local match = string.match
local sub = string.sub
local tonumber = tonumber
local os_date = os.date
local ngx = ngx
local escape_uri = ngx.escape_uri

local _M = {}

-- set once by init_by_lua (bench/run's nginx.conf)
local conf = {
    redis_host = "127.0.0.1",
    redis_port = 6379,
    redis_timeout = 1000,       -- ms, connect, send and read each
    pool_size = 1024,           -- keepalive connections per worker
    pool_idle = 60000,          -- ms
    site_name = "",
    base_url = "",
    date_format = "!%a, %d %b %Y",
}

function _M.configure(c)
    for k, v in pairs(c) do
        conf[k] = v
    end
end

-- KEYS[1] the article; ARGV[1] "1" counts the view, anything else only
-- reads.  false: no such article; 0: a draft; else {views, HGETALL}.
local SCRIPT = [[
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'draft' then
    return 0
end
if status == false and redis.call('EXISTS', KEYS[1]) == 0 then
    return false
end
local views
if ARGV[1] == '1' then
    views = redis.call('HINCRBY', KEYS[1], 'views', 1)
else
    views = tonumber(redis.call('HGET', KEYS[1], 'views')) or 0
end
return {views, redis.call('HGETALL', KEYS[1])}
]]

local SHA = gsub(ngx.sha1_bin(SCRIPT), ".", function (c)
    return format("%02x", byte(c))
end)

-- ---------------------------------------------------------------- text

local html_escapes = {
    ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;",
    ['"'] = "&quot;", ["'"] = "&#39;",
}

local function esc(s)
    return (gsub(s, "[&<>\"']", html_escapes))
end

local json_escapes = {
    ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
    ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
}

local function json_char(c)
    return json_escapes[c] or format("\\u%04X", byte(c))
end

local function jstr(s)
    return '"' .. gsub(s, '[%z\1-\31"\\]', json_char) .. '"'
end

-- Unix seconds, or ISO 8601 UTC as "2025-11-04T09:30:00Z"
local function epoch(v)
    if v == nil or v == "" then
        return nil
    end
    if #v <= 12 and find(v, "^%d+$") then
        return tonumber(v)
    end
    local y, m, d, hh, mm, ss = match(v,
        "^(%d%d%d%d)%-(%d%d)%-(%d%d)[T ](%d%d):(%d%d):(%d%d)Z$")
    if not y then
        return nil
    end
    y, m, d = tonumber(y), tonumber(m), tonumber(d)
    if m < 1 or m > 12 or d < 1 or d > 31 then
        return nil
    end
    -- days since the epoch of a proleptic Gregorian date
    if m <= 2 then
        y = y - 1
    end
    local era = floor(y / 400)
    local yoe = y - era * 400
    local doy = floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1
    local doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy
    return (era * 146097 + doe - 719468) * 86400
           + tonumber(hh) * 3600 + tonumber(mm) * 60 + tonumber(ss)
end

local function iso(t)
    return t and os_date("!%Y-%m-%dT%H:%M:%SZ", t) or ""
end

-- a paragraph's lines, without the white space before its first
-- character and after its last ("(.-)[ \t\r]*$" costs a match attempt
-- per character)
local function paragraph(lines, np)
    return "<p>" .. esc(match(concat(lines, "\n", 1, np),
                              "^[ \t\r]*(.*[^ \t\r])")) .. "</p>\n"
end

-- plain text: lines of white space separate paragraphs
local function body_html(body, out, n)
    local lines, np = {}, 0
    for line in gmatch(body .. "\n", "([^\n]*)\n") do
        if find(line, "[^ \t\r]") then
            np = np + 1
            lines[np] = line
        elseif np > 0 then
            n = n + 1
            out[n] = paragraph(lines, np)
            np = 0
        end
    end
    if np > 0 then
        n = n + 1
        out[n] = paragraph(lines, np)
    end
    return n
end

local function tag_list(v)
    local tags = {}
    if v == nil or v == "" then
        return tags
    end
    if find(v, "^[ \t]*%[") then
        for t in gmatch(v, '"([^"\\]*)"') do
            tags[#tags + 1] = t
        end
        return tags
    end
    for t in gmatch(v, "[^,]+") do
        t = match(t, "^%s*(.-)%s*$")
        if t ~= "" then
            tags[#tags + 1] = t
        end
    end
    return tags
end

-- the JSON-LD of the module: same members, same order, compact
local function json_ld(f, url, published, updated, tags)
    local o, n = { '{"@context":"https://schema.org","@type":"NewsArticle"' }, 1
    local function member(k, v)
        if v ~= nil and v ~= "" then
            n = n + 1
            o[n] = ',"' .. k .. '":' .. jstr(v)
        end
    end
    member("headline", f.title)
    member("description", f.summary)
    member("articleSection", f.category)
    member("creditText", f.image_credit)
    member("datePublished", published)
    member("dateModified", updated ~= "" and updated or published)
    member("url", url)
    member("mainEntityOfPage", url)
    if f.image and f.image ~= "" then
        n = n + 1
        o[n] = ',"image":[' .. jstr(f.image) .. ']'
    end
    if f.author and f.author ~= "" then
        n = n + 1
        o[n] = ',"author":{"@type":"Person","name":' .. jstr(f.author) .. '}'
    end
    if conf.site_name ~= "" then
        n = n + 1
        o[n] = ',"publisher":{"@type":"Organization","name":'
               .. jstr(conf.site_name) .. '}'
    end
    if #tags > 0 then
        local k = {}
        for i = 1, #tags do
            k[i] = jstr(tags[i])
        end
        n = n + 1
        o[n] = ',"keywords":[' .. concat(k, ",") .. ']'
    end
    n = n + 1
    o[n] = "}"
    -- it goes into a <script> element: it must not end it early
    local s = concat(o)
    if find(s, "<", 1, true) then
        s = gsub(gsub(s, "</", "<\\/"), "<!%-%-", "\\u003c!--")
    end
    return s
end

-- ---------------------------------------------------------------- page

local STYLE = [[
<style>
body{margin:0;font:18px/1.6 Georgia,serif;color:#1a1a1a;background:#fff}
header.site{border-bottom:3px solid #1a1a1a;padding:.8em 1em}
header.site a{font:700 1.4em/1 Helvetica,Arial,sans-serif;color:#1a1a1a;text-decoration:none}
main{max-width:44em;margin:0 auto;padding:1em}
.category{font:700 .85em Helvetica,Arial,sans-serif;text-transform:uppercase;color:#b00}
.category a{color:#b00;text-decoration:none}
h1{font-size:2em;line-height:1.2;margin:.3em 0}
.meta{font:.9em Helvetica,Arial,sans-serif;color:#555}
.meta span{margin-right:1.2em}
figure{margin:1.2em 0}
figure img{width:100%;height:auto}
.share{font:.9em Helvetica,Arial,sans-serif;margin:1em 0}
.share a{margin-right:.8em}
.credit{font:italic .85em Helvetica,Arial,sans-serif;color:#555}
.tag{display:inline-block;font:.8em Helvetica,Arial,sans-serif;color:#333;background:#eee;padding:.2em .6em;margin:0 .4em .4em 0;text-decoration:none}
</style>
</head>
<body>
]]

local function render(f, views)
    local url = conf.base_url .. ngx.var.uri
    local site = esc(conf.site_name)
    local title = esc(f.title or "")
    local summary = f.summary and f.summary ~= "" and esc(f.summary)
    local image = f.image and f.image ~= "" and esc(f.image)
    local category = f.category and f.category ~= "" and esc(f.category)
    local t_pub = epoch(f.published_at)
    local published = iso(t_pub)
    local updated = iso(epoch(f.updated_at))
    local tags = tag_list(f.tags)
    local eurl = esc(url)
    local url_enc = escape_uri(url)
    local title_enc = escape_uri(f.title or "")

    local o = {
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        .. '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        .. "<title>", title,
        site ~= "" and " | " .. site or "", "</title>\n\n",
        summary and '<meta name="description" content="' .. summary .. '">\n'
            or "",
        '<link rel="canonical" href="', eurl, '">\n'
        .. '<meta property="og:type" content="article">\n'
        .. '<meta property="og:title" content="', title, '">\n',
        summary and '<meta property="og:description" content="' .. summary
            .. '">\n' or "",
        image and '<meta property="og:image" content="' .. image .. '">\n'
            or "",
        '<meta property="og:url" content="', eurl, '">\n',
        site ~= "" and '<meta property="og:site_name" content="' .. site
            .. '">\n' or "",
        published ~= "" and '<meta property="article:published_time" content="'
            .. published .. '">\n' or "",
        updated ~= "" and '<meta property="article:modified_time" content="'
            .. updated .. '">\n' or "",
        category and '<meta property="article:section" content="' .. category
            .. '">\n' or "",
    }
    local n = #o
    for i = 1, #tags do
        n = n + 1
        o[n] = '<meta property="article:tag" content="' .. esc(tags[i])
               .. '">\n'
    end
    n = n + 1
    o[n] = '<meta name="twitter:card" content="summary_large_image">\n'
           .. '<meta name="twitter:title" content="' .. title .. '">\n'
           .. (summary and '<meta name="twitter:description" content="'
                           .. summary .. '">\n' or "")
           .. (image and '<meta name="twitter:image" content="' .. image
                         .. '">\n' or "")
           .. '<script type="application/ld+json">'
           .. json_ld(f, url, published, updated, tags) .. "</script>\n"
           .. STYLE
           .. '<header class="site"><a href="/">' .. site .. "</a></header>\n"
           .. "<main>\n<article>\n"
           .. (category and '<p class="category">' .. category .. "</p>\n"
               or "")
           .. "<h1>" .. title .. "</h1>\n"
           .. '<p class="meta">'
           .. (t_pub and '<span class="published">Published On '
                         .. esc(os_date(conf.date_format, t_pub)) .. "</span>"
               or "")
           .. (f.author and f.author ~= "" and '<span class="author">'
                                              .. esc(f.author) .. "</span>"
               or "")
           .. '<span class="views">' .. views
           .. (views == 1 and " View" or " Views") .. "</span></p>\n"
           .. (image and '<figure><img src="' .. image .. '" alt="'
                         .. esc(f.image_alt or "") .. '"></figure>\n' or "")
           .. '<nav class="share" aria-label="Share">Share\n'
           .. '<a href="' .. esc("https://twitter.com/intent/tweet?url="
                                 .. url_enc .. "&text=" .. title_enc)
           .. '" rel="noopener" target="_blank">X</a>\n'
           .. '<a href="' .. esc("https://www.facebook.com/sharer/sharer.php?u="
                                 .. url_enc)
           .. '" rel="noopener" target="_blank">Facebook</a>\n'
           .. '<a href="' .. esc("https://wa.me/?text=" .. title_enc .. "%20"
                                 .. url_enc)
           .. '" rel="noopener" target="_blank">WhatsApp</a>\n'
           .. '<a href="'
           .. esc("https://www.linkedin.com/sharing/share-offsite/?url="
                  .. url_enc)
           .. '" rel="noopener" target="_blank">LinkedIn</a>\n'
           .. '</nav>\n<div class="body">\n'
    n = body_html(f.body or "", o, n)
    n = n + 1
    o[n] = "</div>\n"
           .. (f.image_credit and f.image_credit ~= ""
               and '<p class="credit">Disclaimer: ' .. esc(f.image_credit)
                   .. "</p>\n" or "")
    for i = 1, #tags do
        n = n + 1
        o[n] = '<span class="tag">' .. esc(tags[i]) .. "</span>\n"
    end
    n = n + 1
    o[n] = "</article>\n</main>\n\n</body>\n</html>\n"
    return concat(o, "", 1, n)
end

-- ---------------------------------------------------------------- handler

local function fail(status, key, why)
    ngx.log(ngx.ERR, "news-lua: ", status, " for article \"", key, "\": ",
            why)
    if status == 503 then
        ngx.header["Retry-After"] = "1"
    end
    return ngx.exit(status)
end

-- content_by_lua: the page of the article at KEY; COUNT: whether this
-- view is counted
function _M.page(key, count)
    local method = ngx.req.get_method()
    if method ~= "GET" and method ~= "HEAD" then
        ngx.header["Allow"] = "GET, HEAD"
        return ngx.exit(405)
    end
    count = count and method == "GET"

    local red = redis:new()
    red:set_timeout(conf.redis_timeout)
    local ok, err = red:connect(conf.redis_host, conf.redis_port)
    if not ok then
        return fail(503, key, "connect: " .. err)
    end

    local res
    res, err = red:evalsha(SHA, 1, key, count and "1" or "0")
    if not res and err and sub(err, 1, 8) == "NOSCRIPT" then
        res, err = red:eval(SCRIPT, 1, key, count and "1" or "0")
    end
    if res == nil then
        -- a socket error: the connection is not reused
        red:close()
        return fail(503, key, err)
    end
    red:set_keepalive(conf.pool_idle, conf.pool_size)

    if res == false then
        return fail(502, key, err)
    end
    if res == ngx.null or res == 0 then
        return ngx.exit(404)    -- no such article, or a draft
    end

    local fields, f = res[2], {}
    for i = 1, #fields, 2 do
        f[fields[i]] = fields[i + 1]
    end

    local page = render(f, res[1])
    ngx.header["Content-Type"] = "text/html; charset=utf-8"
    ngx.header["Content-Length"] = #page
    ngx.header["Cache-Control"] = "no-store"
    if method == "HEAD" then
        return ngx.exit(200)
    end
    ngx.print(page)
end

return _M
