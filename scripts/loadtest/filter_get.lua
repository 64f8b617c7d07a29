-- wrk script: GET /Users?filter=userName eq "user<n>@example.com" for random
-- existing users (the seed creates user0 … user<USERS-1>).
-- Environment: SCIMKIT_TOKEN, SCIMKIT_PATH (/tenants/<id>/scim/v2), USERS.
local users = tonumber(os.getenv("USERS") or "1000000")
local base = os.getenv("SCIMKIT_PATH")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SCIMKIT_TOKEN")

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 100000)
end

function request()
  local n = math.random(0, users - 1)
  return wrk.format("GET", base .. "/Users?filter=userName%20eq%20%22user" .. n .. "%40example.com%22")
end
