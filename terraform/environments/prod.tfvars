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
api_detailed_metrics   = true # per-method metrics cost about 6 USD a month

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
