-- wrk script: POST /Users with a new userName each time.
-- Environment: SCIMKIT_TOKEN, SCIMKIT_PATH (/tenants/<id>/scim/v2).
local base = os.getenv("SCIMKIT_PATH")
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SCIMKIT_TOKEN")
wrk.headers["Content-Type"] = "application/scim+json"
local prefix
local n = 0

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 100000)
  prefix = string.format("load-%d-%d", os.time(), math.random(0, 999999999))
end

function request()
  n = n + 1
  local body = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],'
    .. '"userName":"' .. prefix .. '-' .. n .. '@example.com","active":true,'
    .. '"displayName":"Load ' .. n .. '","name":{"givenName":"Load","familyName":"N' .. n .. '"},'
    .. '"emails":[{"value":"' .. prefix .. '-' .. n .. '@example.com","type":"work","primary":true}]}'
  return wrk.format(nil, base .. "/Users", nil, body)
end
