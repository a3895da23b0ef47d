# Terraform: one workspace per environment (dev, staging, prod), each with its var-file, and
# terraform/bootstrap applied once per account and region (docs/deploy.md).
# `make bootstrap`, `make preflight ENV=dev`, `make plan ENV=dev`, `make deploy ENV=dev`,
# `make verify ENV=dev`, `make destroy ENV=dev`, `make frontend-env ENV=dev`.
# `make tf-check` runs the real terraform offline (fmt, init against a filesystem mirror,
# validate, a plan per workspace, terraform test); `make test` runs it first when terraform
# is on PATH. checkov lives in its own venv because it pins an older boto3 than the lock.

ENV ?=
TF ?= terraform
TF_DIR := terraform
TF_ENVS := dev staging prod
CHECKOV_VENV := .tools/checkov
CHECKOV_LOCK := tools/checkov/requirements.txt
CHECKOV_STAMP := $(CHECKOV_VENV)/.synced

TF_INSTALL_HINT := Install Terraform >= 1.11 from https://developer.hashicorp.com/terraform/install (or HashiCorp's apt repository), or point TF=/path/to/terraform.
URL ?=
VIDEO ?=
ORIGIN ?=
BOOTSTRAP_ARGS ?=

.PHONY: plan deploy destroy frontend-env tf-check-env tf-init checkov-setup checkov checkov-lock \
	tf-check tf-check-gate bootstrap preflight verify

tf-check: setup ## real terraform offline: fmt, init (mirror), validate, plan per workspace, terraform test
	@TF=$(TF) $(PY) -m tools.deploy.tfcheck

# `make test` runs tf-check when terraform is here; CI machines have it, so there it must be.
tf-check-gate: setup
	@if command -v $(TF) >/dev/null 2>&1; then TF=$(TF) $(PY) -m tools.deploy.tfcheck; \
	elif [ "$${CI:-}" = true ]; then echo "make test: terraform is missing under CI=true. $(TF_INSTALL_HINT)" >&2; exit 1; \
	else echo "make test: SKIPPED make tf-check (terraform is not on PATH; the plan-based tests in tests/terraform skip too). $(TF_INSTALL_HINT)"; fi

# Errors on stderr: `make frontend-env ... >> .env` must not append them.
tf-check-env:
	@command -v $(TF) >/dev/null 2>&1 || { \
		echo "terraform is not installed (or not on PATH). $(TF_INSTALL_HINT)" >&2; \
		exit 1; }
	@case " $(TF_ENVS) " in *" $(ENV) "*) ;; *) \
		echo "ENV must be one of: $(TF_ENVS) (got '$(ENV)'), e.g. make plan ENV=dev" >&2; exit 1;; esac
	@test -f $(TF_DIR)/backend.hcl || { \
		echo "$(TF_DIR)/backend.hcl is missing: make bootstrap writes it (or copy $(TF_DIR)/backend.hcl.example and name your state bucket)." >&2; \
		exit 1; }
	@test -f build/dist/manifest.json || { \
		echo "build/dist/manifest.json is missing: run 'make build' first." >&2; exit 1; }

# Init, then select the environment's workspace, creating it the first time.
tf-init: tf-check-env
	$(TF) -chdir=$(TF_DIR) init -input=false -backend-config=backend.hcl
	$(TF) -chdir=$(TF_DIR) workspace select -or-create=true $(ENV)

# plan and deploy refuse a degraded build (make deploy-gate; ALLOW_DEGRADED=1 accepts it).
plan: deploy-gate tf-init ## terraform plan for ENV=dev|staging|prod
	$(TF) -chdir=$(TF_DIR) plan -input=false -var-file=environments/$(ENV).tfvars

deploy: deploy-gate tf-init ## select or create the ENV workspace and apply its var-file
	$(TF) -chdir=$(TF_DIR) apply -input=false -var-file=environments/$(ENV).tfvars

destroy: tf-init ## destroy everything in the ENV workspace
	$(TF) -chdir=$(TF_DIR) destroy -input=false -var-file=environments/$(ENV).tfvars

# stdout is the one line, so that `make frontend-env ENV=dev >> ../frontend/.env` appends only
# it: init's output and every error go to stderr, and a failed `output` fails the target.
frontend-env: tf-check-env ## print the frontend's VITE_API_ENDPOINT=... line for ENV
	@$(MAKE) --no-print-directory tf-init ENV=$(ENV) >&2
	@line=$$($(TF) -chdir=$(TF_DIR) output -raw frontend_env) && printf '%s\n' "$$line"

bootstrap: setup ## once per account and region: API Gateway log role, state bucket, cost tags (writes terraform/backend.hcl)
	@command -v $(TF) >/dev/null 2>&1 || { echo "terraform is not installed. $(TF_INSTALL_HINT)"; exit 1; }
	$(TF) -chdir=$(TF_DIR)/bootstrap init -input=false
	$(TF) -chdir=$(TF_DIR)/bootstrap apply -input=false $(BOOTSTRAP_ARGS)
	@test -f $(TF_DIR)/backend.hcl || { $(TF) -chdir=$(TF_DIR)/bootstrap output -raw backend_hcl > $(TF_DIR)/backend.hcl && \
		echo "wrote $(TF_DIR)/backend.hcl"; }

preflight: setup ## read-only AWS checks before the first deploy of ENV (a table; non-zero on a blocker)
	@case " $(TF_ENVS) " in *" $(ENV) "*) ;; *) echo "ENV must be one of: $(TF_ENVS), e.g. make preflight ENV=dev"; exit 1;; esac
	@$(PY) -m tools.deploy.preflight --env $(ENV)

verify: setup ## after a deploy: every route as the frontend calls it (ENV=dev or URL=https://.../Prod; VIDEO=<YouTube URL>)
	@if [ -n "$(URL)" ]; then $(PY) -m tools.deploy.verify --url "$(URL)" $(if $(VIDEO),--video "$(VIDEO)") $(if $(ORIGIN),--origin "$(ORIGIN)"); \
	else case " $(TF_ENVS) " in *" $(ENV) "*) ;; *) echo "set ENV=dev|staging|prod or URL=https://<id>.execute-api.<region>.amazonaws.com/Prod"; exit 1;; esac; \
	$(MAKE) --no-print-directory tf-check-env ENV=$(ENV) || exit 1; \
	$(MAKE) --no-print-directory tf-init ENV=$(ENV) >/dev/null || exit 1; \
	url=$$($(TF) -chdir=$(TF_DIR) output -raw api_endpoint 2>/dev/null) || { \
		echo "no api_endpoint in the $(ENV) workspace's state: deploy first (make deploy ENV=$(ENV))"; exit 1; }; \
	$(PY) -m tools.deploy.verify --env $(ENV) --url "$$url" $(if $(VIDEO),--video "$(VIDEO)") $(if $(ORIGIN),--origin "$(ORIGIN)"); fi

checkov-setup: $(CHECKOV_STAMP) ## create .tools/checkov from its hashed lock

$(CHECKOV_STAMP): $(CHECKOV_LOCK)
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
		-r $(CHECKOV_LOCK)
	@touch $@

checkov: checkov-setup ## run checkov over terraform/ (offline, --skip-download)
	$(CHECKOV_VENV)/bin/checkov --quiet --compact --skip-download --framework terraform -d $(TF_DIR)

checkov-lock: setup ## recompile tools/checkov/requirements.txt with hashes
	$(PIP_COMPILE) -o $(CHECKOV_LOCK) tools/checkov/requirements.in

# The terraform tests call checkov, so `make test` builds its venv first, then runs tf-check
# (whose plans the tests in tests/terraform read).
test: checkov-setup tf-check-gate
