-- wrk request generators for the product-analytics endpoints over `assay populate products` data (ids 1..BENCH_PRODUCTS).
-- BENCH_ENDPOINT: analytics (a random product of BENCH_HOT, default all products), top, health (the baseline the
-- warm analytics row is compared with, on the same server).

local endpoint = os.getenv("BENCH_ENDPOINT") or "analytics"
local products = tonumber(os.getenv("BENCH_PRODUCTS") or "10000")
local hot = tonumber(os.getenv("BENCH_HOT") or tostring(products))
local token = os.getenv("BENCH_TOKEN")
if token then wrk.headers["Authorization"] = "Bearer " .. token end

function setup(thread)
    thread:set("seed", math.random(1, 1000000))
end

function init(args)
    math.randomseed(seed or os.time())
end

function request()
    if endpoint == "analytics" then
        return wrk.format("GET", "/products/" .. math.random(1, hot) .. "/analytics?days=30")
    elseif endpoint == "top" then
        return wrk.format("GET", "/products/top?by=views&days=30&limit=10")
    elseif endpoint == "health" then
        return wrk.format("GET", "/health")
    end
    error("unknown BENCH_ENDPOINT " .. endpoint)
end
