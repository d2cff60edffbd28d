-- wrk request generator for route statistics: GET /api/bench/{random of BENCH_PATHS} (default 1000), or
-- GET /stats?limit=100 with BENCH_ENDPOINT=stats. Every request carries BENCH_TOKEN as a bearer token.

local endpoint = os.getenv("BENCH_ENDPOINT") or "api"
local paths = tonumber(os.getenv("BENCH_PATHS") or "1000")
local token = os.getenv("BENCH_TOKEN")
if token then wrk.headers["Authorization"] = "Bearer " .. token end

function setup(thread)
    thread:set("seed", math.random(1, 1000000))
end

function init(args)
    math.randomseed(seed or os.time())
end

function request()
    if endpoint == "api" then
        return wrk.format("GET", "/api/bench/" .. math.random(0, paths - 1))
    elseif endpoint == "stats" then
        return wrk.format("GET", "/stats?limit=100")
    end
    error("unknown BENCH_ENDPOINT " .. endpoint)
end
