# dev: open CORS for local frontends, short log retention, tight caps.
environment = "dev"
# account_id = "123456789012" # pin the account this workspace may deploy to

allowed_origins    = ["*"]
log_retention_days = 7
log_level          = "INFO" # DEBUG would also let botocore log request bodies (prompts) to CloudWatch

default_reserved_concurrency = 2
reserved_concurrency         = {}

throttling_rate_limit  = 5
throttling_burst_limit = 10
api_detailed_metrics   = false  # per-method metrics cost about 6 USD a month

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

# API Gateway's CloudWatch role is one per account and region: dev owns it. Set false if
# another stack in this account and region already manages it.
manage_api_gateway_account = true
