-- wrk request generators for the gene-catalog endpoints. Names and titles follow SyntheticGenesets
-- (Sources/Domain/Genesets/SyntheticGenesets.swift), so every request targets data that exists.
-- Select the endpoint with the environment variable BENCH_ENDPOINT: list, gene, gene_search, title_search.

local endpoint = os.getenv("BENCH_ENDPOINT") or "list"
local pool = tonumber(os.getenv("BENCH_POOL") or "200000")
local sets = tonumber(os.getenv("BENCH_SETS") or "100000")
local token = os.getenv("BENCH_TOKEN")
-- BENCH_GENE_LIMIT: the gene lookup's page size (default: the server's, 50). The scale rows use a small one, so that
-- a page has as many sets at 1,000,000 sets as at 100,000 although each gene is in ten times more of them.
local gene_query = os.getenv("BENCH_GENE_LIMIT") and ("?limit=" .. os.getenv("BENCH_GENE_LIMIT")) or ""
if token then wrk.headers["Authorization"] = "Bearer " .. token end

local function gene_name(i)
    local letters = {}
    local rest = i
    for k = 1, 4 do
        letters[k] = string.char(65 + rest % 26)
        rest = math.floor(rest / 26)
    end
    return table.concat(letters) .. tostring(rest * 7 + i % 7)
end

local b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
local function base64url(data)
    local out = {}
    for i = 1, #data, 3 do
        local a, b, c = data:byte(i, i + 2)
        local n = a * 65536 + (b or 0) * 256 + (c or 0)
        local chars = 2 + (b and 1 or 0) + (c and 1 or 0)
        for k = 1, chars do
            local index = math.floor(n / 2 ^ (6 * (4 - k))) % 64
            out[#out + 1] = b64:sub(index + 1, index + 1)
        end
    end
    return table.concat(out)
end

function setup(thread)
    thread:set("seed", math.random(1, 1000000))
end

function init(args)
    math.randomseed(seed or os.time())
end

function request()
    if endpoint == "list" then
        local after = math.random(0, sets - 50)
        return wrk.format("GET", "/genesets?limit=50&cursor=" .. base64url("genesets:" .. after))
    elseif endpoint == "gene" then
        return wrk.format("GET", "/genes/" .. gene_name(math.random(0, pool - 1)) .. gene_query)
    elseif endpoint == "gene_search" then
        return wrk.format("GET", "/genes/search?q=" .. gene_name(math.random(0, pool - 1)):sub(1, 4) .. "&limit=20")
    elseif endpoint == "title_search" then
        return wrk.format("GET", "/genesets/search/%23" .. math.random(1, sets) .. "?limit=50")
    end
    error("unknown BENCH_ENDPOINT " .. endpoint)
end
