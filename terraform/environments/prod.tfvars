# prod: CORS limited to the real frontend, longer retention, higher caps.
environment = "prod"
# account_id = "123456789012"

allowed_origins    = ["https://music-poetry.example.com"]
log_retention_days = 30
log_level          = "INFO"

default_reserved_concurrency = 5
reserved_concurrency         = {}

throttling_rate_limit  = 20
throttling_burst_limit = 40
api_detailed_metrics   = true  # per-method metrics cost about 6 USD a month

function_env = {
  poetry = { POETRY_PROVIDER = "bedrock" }
}

# Set true when prod lives in its own account (or region) without a dev stack.
manage_api_gateway_account = false

# Keep superseded artifacts out of reach of an accidental `make destroy ENV=prod`.
artifacts_force_destroy = false
