-- wrk script: PATCH /Groups/<GROUP_ID> adding one member per request (Entra
-- ID's one-PATCH-per-member shape), each time a user not yet in the group.
-- Environment: SCIMKIT_TOKEN, SCIMKIT_PATH, GROUP_ID, IDS_FILE (user ids, one a line),
-- ID_START (optional: skip that many ids first, so that two wrk processes
-- add different users).
local base = os.getenv("SCIMKIT_PATH")
local group = os.getenv("GROUP_ID")
wrk.method = "PATCH"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SCIMKIT_TOKEN")
wrk.headers["Content-Type"] = "application/scim+json"
local ids = {}
local i = 0

function init(args)
  for line in io.lines(os.getenv("IDS_FILE")) do
    ids[#ids + 1] = line
  end
  i = (tonumber(os.getenv("ID_START") or "0") or 0) % #ids
end

function request()
  i = i % #ids + 1
  local body = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],'
    .. '"Operations":[{"op":"add","path":"members","value":[{"value":"' .. ids[i] .. '"}]}]}'
  return wrk.format(nil, base .. "/Groups/" .. group, nil, body)
end
