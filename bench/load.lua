-- wrk script for bench/load.py: the realistic mix, one request at a time per connection.
--   wrk -t2 -c32 -d60s -s bench/load.lua URL -- TOKEN TENANT LEADS_FILE CUSTOMERS_FILE TODAY
-- 70% reads (lead lists, timelines, reports, ledgers), 30% writes (milestones, engagements,
-- payments), every POST with a fresh Idempotency-Key. Per-endpoint latency comes from the
-- server's request log (bench/load.py reads it); wrk gives throughput and overall latency.

local MIX = {
  { "GET leads", 25 },
  { "GET timeline", 20 },
  { "GET lead milestones", 5 },
  { "GET dashboard", 8 },
  { "GET funnel", 7 },
  { "GET customer ledger", 5 },
  { "POST milestone", 12 },
  { "POST engagement", 10 },
  { "POST payment", 8 },
}
local MILESTONES = { "contacted", "site_visit", "revisit", "demo", "proposal", "negotiation" }
local ENGAGEMENTS = { { "call_made", "phone" }, { "email_sent", "email" }, { "message_sent", "whatsapp" } }

local threads = {}
local counter = 1

function setup(thread)
  thread:set("thread_number", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

local leads, customers = {}, {}
local headers = {}
local post_headers = {}
local today = ""
local total_weight = 0
sent = 0

local function read_lines(path)
  local out = {}
  for line in io.lines(path) do
    if #line > 0 then out[#out + 1] = line end
  end
  return out
end

function init(args)
  headers = { ["Authorization"] = "Bearer " .. args[1], ["X-Tenant-ID"] = args[2] }
  leads = read_lines(args[3])
  customers = read_lines(args[4])
  today = args[5]
  for _, kind in ipairs(MIX) do total_weight = total_weight + kind[2] end
  math.randomseed(os.time() * 1000 + (thread_number or 0) * 7919)
end

local function pick(list) return list[math.random(#list)] end

local function uuid4()
  return string.format("%08x-%04x-4%03x-%04x-%04x%08x",
    math.random(0, 0x7fffffff), math.random(0, 0xffff), math.random(0, 0xfff),
    0x8000 + math.random(0, 0x3fff), math.random(0, 0xffff), math.random(0, 0x7fffffff))
end

local function choose_kind()
  local roll = math.random(total_weight)
  for _, kind in ipairs(MIX) do
    roll = roll - kind[2]
    if roll <= 0 then return kind[1] end
  end
end

local function post(path, body)
  post_headers = {
    ["Authorization"] = headers["Authorization"],
    ["X-Tenant-ID"] = headers["X-Tenant-ID"],
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = uuid4(),
  }
  return wrk.format("POST", path, post_headers, body)
end

function request()
  sent = sent + 1
  local kind = choose_kind()
  if kind == "GET leads" then
    local limit = (math.random(2) == 1) and 20 or 50
    return wrk.format("GET", "/api/v1/sales/leads?limit=" .. limit, headers)
  elseif kind == "GET timeline" then
    return wrk.format("GET", "/api/v1/sales/reports/milestone-timeline/" .. pick(leads), headers)
  elseif kind == "GET lead milestones" then
    return wrk.format("GET", "/api/v1/sales/leads/" .. pick(leads) .. "/milestones", headers)
  elseif kind == "GET dashboard" then
    return wrk.format("GET", "/api/v1/sales/reports/dashboard", headers)
  elseif kind == "GET funnel" then
    return wrk.format("GET", "/api/v1/sales/reports/funnel", headers)
  elseif kind == "GET customer ledger" then
    return wrk.format("GET", "/api/v1/sales/ledger/" .. pick(customers) .. "?limit=50", headers)
  elseif kind == "POST milestone" then
    return post("/api/v1/sales/milestones/lead", string.format(
      '{"lead_id":"%s","milestone_type":"%s","milestone_date":"%s","notes":"load run"}',
      pick(leads), pick(MILESTONES), today))
  elseif kind == "POST engagement" then
    local e = pick(ENGAGEMENTS)
    return post("/api/v1/sales/engagement", string.format(
      '{"lead_id":"%s","engagement_type":"%s","engagement_channel":"%s","subject":"load run"}',
      pick(leads), e[1], e[2]))
  else
    local amount = string.format("%d.%02d", math.random(1, 5000), math.random(0, 99))
    return post("/api/v1/sales/ledger", string.format(
      '{"customer_id":"%s","transaction_type":"payment","credit_amount":"%s","description":"load run"}',
      pick(customers), amount))
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "WRK requests=%d seconds=%.3f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f " ..
    "non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    errors.status, errors.connect, errors.read, errors.write, errors.timeout))
end
