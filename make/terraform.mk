# Terraform: one workspace per environment (dev, staging, prod), each with its var-file.
# `make plan ENV=dev`, `make deploy ENV=dev`, `make destroy ENV=dev`, `make frontend-env ENV=dev`.
# Static checks of terraform/ run inside `make test` (tests/terraform); checkov lives in its
# own venv because it pins an older boto3 than the project's lock.

ENV ?=
TF ?= terraform
TF_DIR := terraform
TF_ENVS := dev staging prod
CHECKOV_VENV := .tools/checkov
CHECKOV_LOCK := tools/checkov/requirements.txt
CHECKOV_STAMP := $(CHECKOV_VENV)/.synced

.PHONY: plan deploy destroy frontend-env tf-check-env tf-init checkov-setup checkov checkov-lock

tf-check-env:
	@command -v $(TF) >/dev/null 2>&1 || { \
		echo "terraform is not installed (or not on PATH)."; \
		echo "Install Terraform >= 1.6 from HashiCorp (https://developer.hashicorp.com/terraform/install),"; \
		echo "or point TF=/path/to/terraform. Offline checks of terraform/ run in 'make test' without it."; \
		exit 1; }
	@case " $(TF_ENVS) " in *" $(ENV) "*) ;; *) \
		echo "ENV must be one of: $(TF_ENVS) (got '$(ENV)'), e.g. make plan ENV=dev"; exit 1;; esac
	@test -f $(TF_DIR)/backend.hcl || { \
		echo "$(TF_DIR)/backend.hcl is missing: copy $(TF_DIR)/backend.hcl.example and name your state bucket."; \
		exit 1; }
	@test -f build/dist/manifest.json || { \
		echo "build/dist/manifest.json is missing: run 'make build' first."; exit 1; }

# Init, then select the environment's workspace, creating it the first time.
tf-init: tf-check-env
	$(TF) -chdir=$(TF_DIR) init -input=false -backend-config=backend.hcl
	$(TF) -chdir=$(TF_DIR) workspace select -or-create=true $(ENV)

plan: tf-init ## terraform plan for ENV=dev|staging|prod
	$(TF) -chdir=$(TF_DIR) plan -input=false -var-file=environments/$(ENV).tfvars

deploy: tf-init ## select or create the ENV workspace and apply its var-file
	$(TF) -chdir=$(TF_DIR) apply -input=false -var-file=environments/$(ENV).tfvars

destroy: tf-init ## destroy everything in the ENV workspace
	$(TF) -chdir=$(TF_DIR) destroy -input=false -var-file=environments/$(ENV).tfvars

frontend-env: tf-init ## print the frontend's VITE_API_ENDPOINT=... line for ENV
	@$(TF) -chdir=$(TF_DIR) output -raw frontend_env; echo

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

# The terraform tests call checkov, so `make test` builds its venv first.
test: checkov-setup
