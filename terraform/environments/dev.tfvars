# dev: open CORS for local frontends, short log retention, tight caps.
environment = "dev"
# account_id = "123456789012" # pin the account this workspace may deploy to

allowed_origins    = ["*"]
log_retention_days = 7
log_level          = "INFO" # DEBUG would also let botocore log request bodies (prompts) to CloudWatch

# No reserved concurrency: a new account (quota 10) cannot reserve any, since AWS keeps 100
# unreserved. Stage throttling below is the cost cap. Set default_reserved_concurrency (or
# reserved_concurrency = { analysis = 2 }) once `make preflight ENV=dev` shows room.

throttling_rate_limit  = 5
throttling_burst_limit = 10
api_detailed_metrics   = false # per-method metrics cost about 6 USD a month

function_env = {
  poetry = { POETRY_PROVIDER = "bedrock" }
}

# Secrets Manager names per function; the function gets the name in the variable and
# GetSecretValue on that secret only.
# function_secrets = {
#   youtube = {
#     YOUTUBE_COOKIES_SECRET = "music-poetry/dev/youtube-cookies"
#     YOUTUBE_PROXY_SECRET   = "music-poetry/dev/youtube-proxy"
#   }
# }

# Who hears about this environment (placeholders: put real addresses before deploying;
# `make preflight` warns while they are example.com). The alarm address must confirm the
# subscription mail SNS sends; budget addresses need no confirmation.
alarm_email            = "alerts+dev@example.com"
budget_email_addresses = ["billing+dev@example.com"]
