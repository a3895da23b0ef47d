# staging: production-like; CORS limited to the staging frontend.
environment = "staging"
# account_id = "123456789012"

allowed_origins    = ["https://staging.music-poetry.example.com"]
log_retention_days = 14
log_level          = "INFO"

# No reserved concurrency: a new account (quota 10) cannot reserve any, since AWS keeps 100
# unreserved. Stage throttling below is the cost cap. Set default_reserved_concurrency (or
# reserved_concurrency = { analysis = 2 }) once `make preflight ENV=staging` shows room.

# API Gateway throttles each method in its own bucket (14 methods here): these two lines are
# every method's default, not a budget the stage shares. staging serves a few testers: two
# requests a second per method (burst 4).
throttling_rate_limit  = 2
throttling_burst_limit = 4

# The costliest route (youtube + analysis, up to 28 s each) gets its own, lower bucket: one
# analysis a second. The path's preflight reaches youtube too, with the same limits.
route_throttling = {
  "GET /api/youtube/audio-with-analysis"     = { rate_limit = 1, burst_limit = 2 }
  "OPTIONS /api/youtube/audio-with-analysis" = { rate_limit = 1, burst_limit = 2 }
}

api_detailed_metrics = false # per-method metrics: 5 for each of the 14 methods (preflights and mocks too), about 21 USD a month

function_env = {
  poetry = { POETRY_PROVIDER = "bedrock" }
}

# Who hears about this environment (placeholders: put real addresses before deploying;
# `make preflight` warns while they are example.com). The alarm address must confirm the
# subscription mail SNS sends; budget addresses need no confirmation.
alarm_email            = "alerts+staging@example.com"
budget_email_addresses = ["billing+staging@example.com"]


# Spend safety: hard daily Bedrock cap (429 once reached, until 00:00 UTC); per-client limits
# per source IP are the function's defaults unless poetry_client_limit_per_minute / _per_day
# are set; Haiku only (add "us.anthropic.claude-sonnet-4-5-20250929-v1:0" to
# bedrock_inference_profiles to opt into Sonnet). `make cost ENV=staging` prints what they bound.
poetry_daily_budget_usd = 1

# Monitoring: the dashboard is 3.00 USD a month at list price (free within an account's first three).
dashboard_enabled       = false
function_alarms_enabled = false # per-function alarms would cost 1.60 USD a month; staging keeps the API 5XX and Bedrock spend alarms
