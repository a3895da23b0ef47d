# staging: production-like; CORS limited to the staging frontend.
environment = "staging"
# account_id = "123456789012"

allowed_origins    = ["https://staging.music-poetry.example.com"]
log_retention_days = 14
log_level          = "INFO"

# No reserved concurrency: a new account (quota 10) cannot reserve any, since AWS keeps 100
# unreserved. Stage throttling below is the cost cap. Set default_reserved_concurrency (or
# reserved_concurrency = { analysis = 2 }) once `make preflight ENV=staging` shows room.

throttling_rate_limit  = 10
throttling_burst_limit = 20
api_detailed_metrics   = false # per-method metrics cost about 6 USD a month

function_env = {
  poetry = { POETRY_PROVIDER = "bedrock" }
}

# Who hears about this environment (placeholders: put real addresses before deploying;
# `make preflight` warns while they are example.com). The alarm address must confirm the
# subscription mail SNS sends; budget addresses need no confirmation.
alarm_email            = "alerts+staging@example.com"
budget_email_addresses = ["billing+staging@example.com"]
