# staging: production-like; CORS limited to the staging frontend.
environment = "staging"
# account_id = "123456789012"

allowed_origins    = ["https://staging.music-poetry.example.com"]
log_retention_days = 14
log_level          = "INFO"

default_reserved_concurrency = 3
reserved_concurrency         = {}

throttling_rate_limit  = 10
throttling_burst_limit = 20
api_detailed_metrics   = false # per-method metrics cost about 6 USD a month

function_env = {
  poetry = { POETRY_PROVIDER = "bedrock" }
}

# Set true when staging lives in its own account (or region) without a dev stack.
manage_api_gateway_account = false

# Spend safety: hard daily Bedrock cap (429 once reached, until 00:00 UTC); per-client limits
# per source IP are the function's defaults unless poetry_client_limit_per_minute / _per_day
# are set; Haiku only (add "us.anthropic.claude-sonnet-4-5-20250929-v1:0" to
# bedrock_inference_profiles to opt into Sonnet). `make cost ENV=staging` prints what they bound.
poetry_daily_budget_usd = 1

# Monitoring: the dashboard is 3.00 USD a month at list price (free within an account's first three).
dashboard_enabled       = false
function_alarms_enabled = false # per-function alarms would cost 1.60 USD a month; staging keeps the API 5XX and Bedrock spend alarms
