-- Runs one Argo CD customization script as Argo CD's gopher-lua VM does, and prints what it
-- returns as JSON on stdout (errors on stderr, exit status 2).
--   lua5.1 argocd-lua-sandbox.lua SCRIPT.lua OBJECT.lua
-- OBJECT.lua returns the Kubernetes object as a Lua table; the script sees it as the global `obj`.
-- Argo CD opens only the base and table libraries and an os library with time and date, so the
-- script gets exactly those: string.*, math.*, io.* and string methods ("x"):upper() fail here
-- as they fail there.
local script_path, object_path = arg[1], arg[2]

local function json(value)
  local kind = type(value)
  if kind == "nil" then
    return "null"
  elseif kind == "boolean" then
    return tostring(value)
  elseif kind == "number" then
    if value == math.floor(value) and math.abs(value) < 1e15 then
      return string.format("%d", value)
    end
    return string.format("%.17g", value)
  elseif kind == "string" then
    local escaped = value:gsub('[%c"\\]', function(c)
      local named = {['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t'}
      return named[c] or string.format("\\u%04x", c:byte())
    end)
    return '"' .. escaped .. '"'
  elseif kind == "table" then
    local count, keys = 0, {}
    for key in pairs(value) do
      count = count + 1
      keys[#keys + 1] = key
    end
    if count > 0 and count == #value then
      local items = {}
      for i = 1, #value do
        items[i] = json(value[i])
      end
      return "[" .. table.concat(items, ",") .. "]"
    end
    for _, key in ipairs(keys) do
      if type(key) ~= "string" then
        error("a table mixes array and object keys: " .. tostring(key))
      end
    end
    table.sort(keys)
    local members = {}
    for _, key in ipairs(keys) do
      members[#members + 1] = json(key) .. ":" .. json(value[key])
    end
    return "{" .. table.concat(members, ",") .. "}"
  end
  error("cannot encode a " .. kind .. " as JSON")
end

local chunk = assert(loadfile(script_path))
local env = {
  obj = dofile(object_path),
  table = {concat = table.concat, insert = table.insert, maxn = table.maxn, remove = table.remove, sort = table.sort},
  os = {time = os.time, date = os.date},
}
for _, name in ipairs({"assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "print", "rawequal",
    "rawget", "rawset", "select", "setmetatable", "tonumber", "tostring", "type", "unpack", "xpcall", "_VERSION"}) do
  env[name] = _G[name]
end
env._G = env
setfenv(chunk, env)

local string_metatable = getmetatable("")
local string_methods = string_metatable.__index
string_metatable.__index = nil
local ok, result = pcall(chunk)
string_metatable.__index = string_methods

if not ok then
  io.stderr:write(tostring(result), "\n")
  os.exit(2)
end
io.write(json(result))
