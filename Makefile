# Thin wrappers over Maven and hack/ scripts. `make help` lists the targets.
SHELL := /bin/bash
MVN ?= mvn -B
PREFIX ?= $(HOME)/.local
export GOTOOLCHAIN := local
comma := ,

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build the operator (target/quarkus-app) and regenerate target/kubernetes
	$(MVN) package -DskipTests

.PHONY: crds
crds: build ## Regenerate crds/ (and the chart's copy) from the api classes (commit the result)
	cp target/kubernetes/*.modelops.dev-v1.yml crds/
	cp target/kubernetes/*.modelops.dev-v1.yml helm/modelops-operator/crds/

.PHONY: test
test: tools ## Every test tier: unit, mock server, generated files, end-to-end on the local control plane
	$(MVN) verify -Pe2e

.PHONY: test-fast
test-fast: ## Unit, mock-server and generated-file checks only (no control plane)
	$(MVN) verify

.PHONY: format
format: ## Format every Java file with google-java-format (make test fails on unformatted code)
	$(MVN) -q spotless:apply

.PHONY: drift
drift: ## Print every drift statistic for BASELINE=file CURRENT=file (offline calibration)
	@if [ -z "$(BASELINE)" ] || [ -z "$(CURRENT)" ]; then \
	  echo "usage: make drift BASELINE=path/to/baseline.json CURRENT=path/to/current.json (see deploy/examples/drift/)" >&2; \
	  exit 2; \
	fi
	@# Maven's own output goes to stderr so that stdout is only the JSON.
	@$(MVN) -q compile >&2
	@[ target/classpath.txt -nt pom.xml ] || \
	  $(MVN) -q dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2
	@java -cp "target/classes:$$(cat target/classpath.txt)" dev.modelops.operator.cli.DriftCli "$(BASELINE)" "$(CURRENT)"

.PHONY: bench
bench: tools ## Benchmark on fresh local control planes: convergence vs a baseline, idle writes, drift lag, memory (N=100,1000)
	$(MVN) -q package -DskipTests
	@[ target/test-classpath.txt -nt pom.xml ] || \
	  $(MVN) -q dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	java -Djava.util.logging.manager=org.jboss.logmanager.LogManager -Dbench.n=$(or $(N),100$(comma)1000) -Dbench.runs=$(or $(RUNS),1) $(BENCH_OPTS) \
	  -cp "target/test-classes:target/classes:$$(cat target/test-classpath.txt)" dev.modelops.operator.bench.Bench

.PHONY: run
run: ## Build and run the operator: on a local control plane, or on KUBECONFIG's cluster when set
	hack/run.sh

.PHONY: tools
tools: ## Build kube-apiserver, etcd, kwok, kubectl, helm from Go modules (cached under ~/.cache)
	hack/build-tools.sh >/dev/null

.PHONY: cluster-up
cluster-up: ## Start the local control plane; admin kubeconfig in .local/kubeconfig
	hack/cluster-up.sh

.PHONY: cluster-down
cluster-down: ## Stop the local control plane and remove its state
	hack/cluster-down.sh

.PHONY: node-up
node-up: tools ## Local cluster with a real node (containerd, kubelet, kube-proxy, pod network, DNS; root)
	MODELOPS_REAL_NODE=1 hack/cluster-up.sh

.PHONY: node-down
node-down: ## Stop the real node and undo everything it changed on this machine (root)
	hack/node-down.sh

.PHONY: demo
demo: ## With `make run` going: shift the iris traffic and time drift → one retrain Job → canary → new version serving (SHIFT=2)
	hack/demo.sh $(SHIFT)

.PHONY: platform-up
platform-up: ## Platform services on the real node: object store (s3.storage), Prometheus (prometheus.monitoring); MLflow with MODELOPS_MLFLOW=1 (root)
	hack/platform-up.sh

.PHONY: platform-down
platform-down: ## Stop the platform services, unpublish them (data and credentials in .local/platform kept; PURGE=1 removes them)
	hack/platform-down.sh $(if $(filter 1,$(PURGE)),--purge)

.PHONY: platform-smoke
platform-smoke: ## Check the platform end to end: store from host and pods, seeded model, a scraped model server, MLflow if up (root)
	hack/platform-smoke.sh

.PHONY: mlflow-up
mlflow-up: ## MLflow tracking/registry server (mlflow.mlflow, artifacts in s3://mlflow/) on the running platform (root)
	hack/mlflow-up.sh

.PHONY: mlflow-down
mlflow-down: ## Stop the MLflow server (its database is kept)
	hack/mlflow-down.sh

.PHONY: seed-models
seed-models: ## Upload the example model (iris version 1) to s3://models/iris/1/ with the trainer's seed mode (idempotent; root)
	hack/seed-models.sh

.PHONY: images
images: tools ## Build the container images into ~/.cache/modelops-images (root); IMAGES="operator trainer" for some
	images/build.sh $(IMAGES)

.PHONY: install-operator
install-operator: ## Install the Helm chart with the locally built operator image into the local cluster (real node)
	hack/install-operator.sh

.PHONY: deploy
deploy: ## Install CRDs, RBAC and the operator Deployment into KUBECONFIG's cluster
	kubectl apply --server-side -k deploy/

.PHONY: install-plugin
install-plugin: ## Install the kubectl plugin (kubectl modelops) into $(PREFIX)/bin, default ~/.local/bin
	install -d "$(PREFIX)/bin"
	install -m 0755 plugin/kubectl-modelops "$(PREFIX)/bin/kubectl-modelops"
	@echo "installed $(PREFIX)/bin/kubectl-modelops; with $(PREFIX)/bin on PATH, check: kubectl plugin list"
