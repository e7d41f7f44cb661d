-- GET with the bearer token (wrk -s), for the CDR queries.
local token = os.getenv("TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
