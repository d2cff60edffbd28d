-- wrk request generator for POST /enrichment: each request posts one of the JSON bodies in BENCH_BODIES (one per
-- line, written by bench/enrichment_bench.py: 300 genes drawn from the synthetic collection), chosen at random.

local token = os.getenv("BENCH_TOKEN")
local bodies = {}
for line in io.lines(os.getenv("BENCH_BODIES")) do bodies[#bodies + 1] = line end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if token then wrk.headers["Authorization"] = "Bearer " .. token end

function setup(thread)
    thread:set("seed", math.random(1, 1000000))
end

function init(args)
    math.randomseed(seed or os.time())
end

function request()
    return wrk.format(nil, "/enrichment", nil, bodies[math.random(1, #bodies)])
end
