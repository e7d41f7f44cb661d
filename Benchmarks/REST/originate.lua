-- POST /v1/calls with a new number and Idempotency-Key each time (wrk -s).
local counter = 0
local token = os.getenv("TOKEN")
local run = tostring(os.time())

request = function()
  counter = counter + 1
  local body = string.format('{"phone": "+1555%07d"}', counter % 10000000)
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "bench-" .. run .. "-" .. counter,
  }
  return wrk.format("POST", nil, headers, body)
end
