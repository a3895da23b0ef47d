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
api_detailed_metrics   = false  # per-method metrics cost about 6 USD a month

function_env = {
  poetry = { POETRY_PROVIDER = "bedrock" }
}

# Set true when staging lives in its own account (or region) without a dev stack.
manage_api_gateway_account = false
