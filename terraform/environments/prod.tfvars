# prod: CORS limited to the real frontend, longer retention, higher caps.
environment = "prod"
# account_id = "123456789012"

allowed_origins    = ["https://music-poetry.example.com"]
log_retention_days = 30
log_level          = "INFO"

# Reserved concurrency per function (4 functions x 5 = 20): needs a concurrency quota of at
# least 120, since AWS keeps 100 unreserved; `make preflight ENV=prod` checks it.
default_reserved_concurrency = 5
reserved_concurrency         = {}

throttling_rate_limit  = 20
throttling_burst_limit = 40

# API Gateway throttles each method in its own bucket: the two lines above are every method's
# default, not a budget shared by the stage. The costliest route gets its own, lower bucket.
# prod: five analyses a second (burst 10), a quarter of the default; youtube reserves 5, so more
# could not run at once anyway. The path's preflight reaches youtube too, with the same limits.
route_throttling = {
  "GET /api/youtube/audio-with-analysis"     = { rate_limit = 5, burst_limit = 10 }
  "OPTIONS /api/youtube/audio-with-analysis" = { rate_limit = 5, burst_limit = 10 }
}

api_detailed_metrics = false # per-method metrics: 5 for each of the 14 methods (preflights and mocks too), about 21 USD a month; the free stage metrics suffice

function_env = {
  poetry = { POETRY_PROVIDER = "bedrock" }
}

# Keep superseded artifacts out of reach of an accidental `make destroy ENV=prod`.
artifacts_force_destroy = false

# Who hears about this environment (placeholders: put real addresses before deploying;
# `make preflight` warns while they are example.com). The alarm address must confirm the
# subscription mail SNS sends; budget addresses need no confirmation.
alarm_email            = "alerts+prod@example.com"
budget_email_addresses = ["billing+prod@example.com"]

# Spend safety: hard daily Bedrock cap (429 once reached, until 00:00 UTC); per-client limits
# per source IP are the function's defaults unless poetry_client_limit_per_minute / _per_day
# are set; Haiku only (add "us.anthropic.claude-sonnet-4-5-20250929-v1:0" to
# bedrock_inference_profiles to opt into Sonnet). `make cost ENV=prod` prints what they bound.
poetry_daily_budget_usd = 3

# Monitoring: the dashboard is 3.00 USD a month at list price (free within an account's first three).
dashboard_enabled       = false
function_alarms_enabled = true # every alarm the design names: 18 alarm metrics, 1.80 USD a month
