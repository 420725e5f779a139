#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# deploy/kubernetes without a cluster: every kustomization renders with kubectl kustomize, and
# every object it renders passes scripts/validate-k8s.py (the Kubernetes API models of
# python3-kubernetes for core objects, the CRDs' openAPIV3Schema for the MPIJob and the
# ServiceMonitor, efadiag's safety rules). The safety rules are asserted here too, with jq on
# the rendered objects, and broken copies (an unknown field, a wrong type, a missing required
# field, the exporter requesting EFA, ...) must each be rejected. The commands the manifests
# run are run here against the efadiag built: the node health job's script (its termination
# message against the JSON it summarizes), the exporter's command line (/healthz, /metrics),
# and mesh's options.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

K8S=$TOP_SRCDIR/deploy/kubernetes
KUBECTL=${KUBECTL:-kubectl}
if ! command -v "$KUBECTL" >/dev/null 2>&1; then
	echo "1..0 # SKIP kubectl is not installed (Debian: kubernetes-client)"
	exit 0
fi
# The Python that has the validator's modules (Debian's /usr/bin/python3 when another python3
# comes first on the PATH).
PY=
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import kubernetes, jsonschema, yaml' 2>/dev/null; then
		PY=$p
		break
	fi
done
if [ -z "$PY" ]; then
	echo "1..0 # SKIP no python3 with the kubernetes, jsonschema and yaml modules" \
		"(Debian: python3-kubernetes python3-jsonschema python3-yaml)"
	exit 0
fi
VALIDATE=("$PY" "$TOP_SRCDIR/scripts/validate-k8s.py")
KY=("$PY" "$TOP_SRCDIR/tests/k8s-yaml.py")
diag "$("$KUBECTL" version --client 2>/dev/null | head -2 | tr '\n' ' ')"

# render DIR NAME: kubectl kustomize DIR into $TMPD/NAME.yaml (and NAME.json for jq).
render() {
	"$KUBECTL" kustomize "$1" >"$TMPD/$2.yaml" 2>"$TMPD/$2.err"
	local rc=$?
	[ $rc -eq 0 ] || diag "kubectl kustomize $1: exit $rc" "$(head -c 600 "$TMPD/$2.err")"
	[ $rc -eq 0 ] && "${KY[@]}" json <"$TMPD/$2.yaml" >"$TMPD/$2.json"
}

# validate NAME: the validator on $TMPD/NAME.yaml; output in $TMPD/NAME.val, exit code in VRC.
validate() {
	"${VALIDATE[@]}" -v "$TMPD/$1.yaml" >"$TMPD/$1.val" 2>&1
	VRC=$?
}

# jq_ok NAME FILTER DESCRIPTION: FILTER is true on the rendered objects of NAME.
jq_ok() {
	local r=1
	jq -e "$2" "$TMPD/$1.json" >/dev/null 2>&1 && r=0
	ok $r "$3"
	[ $r -eq 0 ] || diag "jq -e '$2' on $1: $(jq -c "$2" "$TMPD/$1.json" 2>&1 | head -c 300)"
}

# --- every kustomization renders and validates ---------------------------------------------
mapfile -t KDIRS < <(cd "$K8S" && find . -path ./local -prune -o -name kustomization.yaml -print | sed 's|^\./||; s|/kustomization.yaml$||' | sort)
want="examples/p4d/mesh examples/p4d/node-health exporter mesh namespace node-health prometheus-operator"
ok "$([ "${KDIRS[*]}" = "$want" ]; echo $?)" "the kustomizations are the ones tested: ${KDIRS[*]}"
for d in "${KDIRS[@]}"; do
	n=${d//\//-}
	render "$K8S/$d" "$n"
	ok $? "$d: kubectl kustomize renders"
	validate "$n"
	ok $VRC "$d: every object is valid"
	[ $VRC -eq 0 ] || diag "$(head -c 1500 "$TMPD/$n.val")"
done

# What each one renders (the validator's "ok" lines name the model or schema it used).
has() { # has NAME LINE...
	local n=$1 l r=0
	shift
	for l in "$@"; do
		grep -qxF "ok $l" "$TMPD/$n.val" || { r=1; diag "$n: no 'ok $l'"; }
	done
	return $r
}
NS="v1 Namespace efadiag (V1Namespace)"
DS="apps/v1 DaemonSet efadiag/efadiag-exporter (V1DaemonSet)"
SVC="v1 Service efadiag/efadiag-exporter (V1Service)"
SM="monitoring.coreos.com/v1 ServiceMonitor efadiag/efadiag-exporter (CRD schema)"
JOB="batch/v1 Job efadiag/efadiag-node-health (V1Job)"
MPI="kubeflow.org/v2beta1 MPIJob efadiag/efadiag-mesh (CRD schema)"
has exporter "$NS" "$DS" "$SVC"
ok $? "exporter: Namespace, DaemonSet and Service, against the API models"
! grep -q ServiceMonitor "$TMPD/exporter.yaml"
ok $? "exporter: no ServiceMonitor (applies without the Prometheus operator's CRDs)"
has prometheus-operator "$NS" "$DS" "$SVC" "$SM"
ok $? "prometheus-operator: the exporter plus a ServiceMonitor, against its CRD schema"
has node-health "$NS" "$JOB"
ok $? "node-health: the Job"
has mesh "$NS" "$MPI"
ok $? "mesh: the MPIJob, against its CRD schema"
has examples-p4d-mesh "$MPI" && has examples-p4d-node-health "$JOB"
ok $? "examples/p4d: the patched MPIJob and Job"

# --- the safety rules, asserted on the rendered objects --------------------------------------
ALL=(exporter prometheus-operator node-health mesh examples-p4d-mesh examples-p4d-node-health)
PODS='[.[] | (select(.kind == "MPIJob") | .spec.mpiReplicaSpecs[].template),
	(select(.kind == "DaemonSet" or .kind == "Job") | .spec.template)]'
CTRS="$PODS | map(.spec.containers[])"
EXP='[.[] | select(.kind == "DaemonSet")][0].spec.template.spec'
EXPC="$EXP.containers[0]"
jq_ok exporter "[$EXP.containers[].resources | (.requests, .limits) | objects |
	has(\"vpc.amazonaws.com/efa\")] | any | not" "exporter: requests no vpc.amazonaws.com/efa"
jq_ok exporter "$EXPC.securityContext | .readOnlyRootFilesystem == true and
	.allowPrivilegeEscalation == false and .privileged != true and .capabilities.drop == [\"ALL\"]
	and (.capabilities.add // [] | length == 0)" \
	"exporter: read-only root, no privilege or escalation, every capability dropped"
jq_ok exporter "$EXP.securityContext.runAsNonRoot == true and $EXP.securityContext.runAsUser > 0
	and $EXP.hostNetwork != true and $EXP.hostPID != true and $EXP.hostIPC != true" \
	"exporter: non-root, no host namespace"
jq_ok exporter "($EXP.volumes | map(select(.hostPath)) | map(.name)) as \$h |
	[$EXPC.volumeMounts[] | select(.name | IN(\$h[])) | .readOnly == true] | length > 0 and all" \
	"exporter: its host mounts are read-only"
jq_ok exporter "$EXP.volumes[] | select(.name == \"host-sys\") | .hostPath.path == \"/sys\"" \
	"exporter: the host's /sys is its one host path"
jq_ok exporter "($EXPC.env[] | select(.name == \"EFADIAG_SYSROOT\") | .value) as \$r |
	[$EXPC.volumeMounts[] | .mountPath] | index(\$r + \"/sys\") != null" \
	"exporter: EFADIAG_SYSROOT/sys is the host's /sys"
jq_ok exporter "$EXPC | (.command + .args) as \$a | \$a[0:3] == [\"efadiag\", \"stats\", \"--listen\"]
	and (\$a[3] | ltrimstr(\":\") | tonumber) == .ports[0].containerPort" \
	"exporter: runs efadiag stats --listen on its container port"
jq_ok exporter "$EXPC | .livenessProbe.httpGet.path == \"/healthz\" and
	.readinessProbe.httpGet.path == \"/healthz\" and .resources.requests.cpu and
	.resources.requests.memory and .resources.limits.cpu and .resources.limits.memory" \
	"exporter: /healthz probes, cpu and memory requests and limits"
jq_ok exporter "$EXP.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms |
	map(.matchExpressions[0].key) == [\"vpc.amazonaws.com/efa.present\", \"node.kubernetes.io/instance-type\"]" \
	"exporter: on nodes labelled vpc.amazonaws.com/efa.present, or of an EFA instance type"
for n in "${ALL[@]}"; do
	jq_ok "$n" "$CTRS | map(.securityContext.privileged != true) | all" "$n: nothing privileged"
	jq_ok "$n" "[${CTRS}[] | .image] | unique == [\"efadiag:latest\"]" "$n: image efadiag:latest"
done
HC='[.[] | select(.kind == "Job")][0].spec.template.spec.containers[0]'
for n in node-health examples-p4d-node-health; do
	jq_ok "$n" "$HC.resources | (.requests[\"vpc.amazonaws.com/efa\"] >= 1) and
		.limits[\"vpc.amazonaws.com/efa\"] == .requests[\"vpc.amazonaws.com/efa\"] and
		.requests[\"hugepages-2Mi\"] and .limits[\"hugepages-2Mi\"]" \
		"$n: requests vpc.amazonaws.com/efa and hugepages-2Mi"
	jq_ok "$n" "$HC | .securityContext.capabilities.add == [\"IPC_LOCK\"] and
		.securityContext.capabilities.drop == [\"ALL\"] and
		.terminationMessagePath == (.env[] | select(.name == \"TERMINATION_LOG\") | .value) and
		.terminationMessagePolicy == \"File\"" \
		"$n: IPC_LOCK alone; its summary goes to terminationMessagePath"
done
W='[.[] | select(.kind == "MPIJob")][0].spec.mpiReplicaSpecs'
for n in mesh examples-p4d-mesh; do
	jq_ok "$n" "$W.Worker.template.spec.containers | map(.resources.requests[\"vpc.amazonaws.com/efa\"] >= 1 and
		.resources.limits[\"vpc.amazonaws.com/efa\"] == .resources.requests[\"vpc.amazonaws.com/efa\"]) | all" \
		"$n: every worker requests vpc.amazonaws.com/efa"
	jq_ok "$n" "[$W.Launcher.template.spec.containers[].resources | (.requests, .limits) | objects |
		has(\"vpc.amazonaws.com/efa\")] | any | not" "$n: the launcher holds no EFA device"
	jq_ok "$n" "$W.Launcher.template.spec.containers[0].command | (.[0] == \"mpirun\") and
		(index([\"efadiag\", \"mesh\", \"--json\"]) != null) and (index([\"--map-by\", \"ppr:1:node\"]) != null)" \
		"$n: mpirun, one rank per node, efadiag mesh --json"
done
jq_ok examples-p4d-mesh "$W.Worker | .replicas == 16 and
	.template.spec.nodeSelector[\"node.kubernetes.io/instance-type\"] == \"p4d.24xlarge\" and
	.template.spec.containers[0].resources.limits[\"vpc.amazonaws.com/efa\"] == 4" \
	"examples/p4d/mesh: 16 p4d.24xlarge workers with their 4 EFA devices each"
jq_ok examples-p4d-node-health "[.[] | select(.kind == \"Job\")][0].spec.template.spec |
	.nodeSelector[\"node.kubernetes.io/instance-type\"] == \"p4d.24xlarge\" and
	.containers[0].resources.requests[\"vpc.amazonaws.com/efa\"] == 4" \
	"examples/p4d/node-health: p4d.24xlarge with its 4 EFA devices"

# A user's overlay replaces the image everywhere.
cp -R "$K8S" "$TMPD/tree"
chmod -R u+w "$TMPD/tree" # a distcheck source tree is read-only
mkdir -p "$TMPD/tree/mine"
cat >"$TMPD/tree/mine/kustomization.yaml" <<'EOF'
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
bases:
  - ../prometheus-operator
images:
  - name: efadiag
    newName: registry.example.com/efadiag
    newTag: "1.2"
EOF
render "$TMPD/tree/mine" mine
jq_ok mine "[${CTRS}[] | .image] | unique == [\"registry.example.com/efadiag:1.2\"]" \
	"an overlay's images: replaces efadiag:latest"

# --- broken copies are rejected ------------------------------------------------------------
# mutation SOURCE-RENDER NAME REGEX: the validator rejects the mutated copy, saying REGEX.
mutation() {
	local src=$1 m=$2 re=$3 r=1
	if ! "${KY[@]}" mutate "$m" <"$TMPD/$src.yaml" >"$TMPD/bad-$m.yaml" 2>"$TMPD/bad-$m.err"; then
		ok 1 "broken copy $m: $(cat "$TMPD/bad-$m.err")"
		return
	fi
	validate "bad-$m"
	[ $VRC -eq 1 ] && grep -Eq -- "$re" "$TMPD/bad-$m.val" && r=0
	ok $r "broken copy rejected: $m"
	[ $r -eq 0 ] || diag "exit $VRC, wanted 1 and /$re/" "$(head -c 800 "$TMPD/bad-$m.val")"
}
mutation exporter unknown-field-core 'spec.template.spec.afinity: unknown field in V1PodSpec \(did you mean affinity\?\)'
mutation exporter unknown-field-core-nodeselector 'spec.template.spec.nodeSelectorr: unknown field in V1PodSpec \(did you mean nodeSelector\?\)'
mutation mesh unknown-field-crd "^.*MPIJob efadiag-mesh: .spec: unknown field: Additional properties are not allowed \('slotPerWorker'"
mutation mesh unknown-field-crd-template "Worker.template.spec: unknown field: Additional properties are not allowed \('nodeSelectorr'"
mutation prometheus-operator unknown-field-servicemonitor "spec.endpoints\[0\]: unknown field: .*'intervall'"
mutation node-health wrong-type-core 'spec.backoffLimit: expected an integer, got str'
mutation exporter wrong-type-core-port "ports\[0\].containerPort: expected an integer, got str '9478'"
mutation mesh wrong-type-crd "spec.slotsPerWorker: 'one' is not of type 'integer'"
# shellcheck disable=SC2016 # the client's message has backquotes
mutation exporter missing-required-core 'V1Service: Invalid value for `port`, must not be `None`'
# shellcheck disable=SC2016
mutation node-health missing-required-container-name 'Invalid value for `name`, must not be `None`'
mutation mesh missing-required-crd "'mpiReplicaSpecs' is a required property"
mutation prometheus-operator missing-required-servicemonitor "'selector' is a required property"
mutation exporter bad-quantity "limits.memory: '64MB' is not a quantity"
mutation node-health efa-request-not-limit 'requests.vpc.amazonaws.com/efa: must equal its limit'
mutation exporter selector-mismatch 'Service efadiag-exporter: .spec.selector: selects no pod template'
mutation exporter probe-port-name "livenessProbe.httpGet.port: no container port named 'metric'"
mutation exporter exporter-requests-efa 'the exporter must not request EFA devices'
mutation exporter exporter-writable-root "readOnlyRootFilesystem: the exporter's root file system must be read-only"
mutation exporter exporter-privileged 'securityContext.privileged: no efadiag pod is privileged'
mutation exporter exporter-keeps-capabilities 'capabilities.drop: the exporter drops ALL capabilities'
mutation node-health health-no-efa 'the node health job requests vpc.amazonaws.com/efa'
mutation node-health health-no-ipc-lock 'the node health job adds IPC_LOCK'
mutation mesh mesh-worker-no-efa 'mesh workers request vpc.amazonaws.com/efa'
mutation mesh mesh-launcher-efa 'the mesh launcher runs no rank'
n_mut=$("${KY[@]}" list | wc -l)
ok "$([ "$n_mut" -eq 24 ]; echo $?)" "every mutation of k8s-yaml.py is tried here ($n_mut)"

# A typo in a source file, through kustomize: the whole pipeline catches it.
sed -i 's/^      nodeSelector:$/      nodeSelectorr:/' "$TMPD/tree/node-health/job.yaml"
grep -q '^      nodeSelectorr:$' "$TMPD/tree/node-health/job.yaml"
ok $? "the source copy has the typo"
render "$TMPD/tree/node-health" typo
validate typo
r=1
[ $VRC -eq 1 ] && grep -q 'spec.template.spec.nodeSelectorr: unknown field in V1PodSpec' "$TMPD/typo.val" && r=0
ok $r "a nodeSelectorr typo in node-health/job.yaml is rejected after kubectl kustomize"
[ $r -eq 0 ] || diag "$(head -c 600 "$TMPD/typo.val")"
"${VALIDATE[@]}" --no-policy "$TMPD/node-health.yaml" "$TMPD/typo.yaml" >/dev/null 2>&1
ok "$([ $? -eq 1 ]; echo $?)" "one bad object among good ones fails the lot"
"${VALIDATE[@]}" /nonexistent.yaml >/dev/null 2>&1
ok "$([ $? -eq 2 ]; echo $?)" "an unreadable file: exit 2"

# --- the commands the manifests run, run here ----------------------------------------------
if [ ! -x "$EFADIAG" ]; then
	skip "the manifests' commands" "no efadiag built at $EFADIAG"
	done_testing
	exit
fi
BIN=$TMPD/bin
mkdir -p "$BIN"
ln -s "$EFADIAG" "$BIN/efadiag"

# The node health job's script, on a fixture node: its termination message summarizes the
# very document it printed.
jq -r '.[] | select(.kind == "Job") | .spec.template.spec.containers[0].args[0]' \
	"$TMPD/node-health.json" >"$TMPD/health.sh"
mkdir -p "$TMPD/htmp"
for fx in p5-missing-one p4d-healthy no-efa; do
	: >"$TMPD/term"
	env PATH="$BIN:$PATH" TMPDIR="$TMPD/htmp" EFADIAG_SYSROOT="$FIXTURES/$fx" \
		TERMINATION_LOG="$TMPD/term" NODE_NAME=node-a \
		sh "$TMPD/health.sh" >"$TMPD/health.out" 2>"$TMPD/health.err"
	hrc=$?
	r=1
	jq -e --slurpfile doc "$TMPD/health.out" --argjson rc "$hrc" '
		$doc[0] as $d | .node == "node-a" and .exit == $rc and .status == $d.status and
		.fail == [$d.checks[] | select(.status == "fail") | .name] and
		.warn == [$d.checks[] | select(.status == "warn") | .name]' "$TMPD/term" >/dev/null 2>&1 && r=0
	ok $r "node health script on $fx: exit $hrc, termination message $(head -c 200 "$TMPD/term")"
	[ $r -eq 0 ] || diag "stderr: $(head -c 300 "$TMPD/health.err")" "stdout: $(head -c 300 "$TMPD/health.out")"
	st=$(jq -r .status "$TMPD/health.out" 2>/dev/null)
	want=3
	[ "$st" = ok ] && want=0
	[ "$st" = fail ] && want=1
	ok "$([ "$hrc" -eq $want ] && [ "$(wc -c <"$TMPD/term")" -le 4096 ]; echo $?)" \
		"node health script on $fx: exit $hrc is efadiag's for status $st; message within 4096 bytes"
done
: >"$TMPD/term"
env PATH=/usr/bin:/bin TMPDIR="$TMPD/htmp" TERMINATION_LOG="$TMPD/term" NODE_NAME=node-a \
	sh "$TMPD/health.sh" >/dev/null 2>&1
hrc=$?
jq -e --argjson rc "$hrc" '.status == "error" and .exit == $rc and $rc != 0' "$TMPD/term" >/dev/null 2>&1
ok $? "node health script without efadiag: status error, exit $hrc"

# The exporter's command line as the DaemonSet gives it (on a free port, the fixture's sysfs
# as the host's): /healthz and /metrics answer.
mapfile -t CMD < <(jq -r "$EXPC | (.command + .args)[]" "$TMPD/exporter.json")
for i in "${!CMD[@]}"; do [ "${CMD[$i]}" = ":9478" ] && CMD[i]=127.0.0.1:0; done
if ! command -v curl >/dev/null 2>&1; then
	skip "the exporter's command line" "curl is not installed"
elif ! env EFADIAG_SYSROOT="$FIXTURES/stats-current" PATH="$BIN:$PATH" "${CMD[@]}" -h >/dev/null 2>&1; then
	ok 1 "the exporter's command line parses: ${CMD[*]}"
else
	env EFADIAG_SYSROOT="$FIXTURES/stats-current" PATH="$BIN:$PATH" timeout 60 "${CMD[@]/--quiet/-v}" \
		>"$TMPD/exp.out" 2>"$TMPD/exp.err" &
	exp_pid=$!
	port=
	for _ in $(seq 100); do
		port=$(grep -m1 -oE 'serving http://127\.0\.0\.1:[0-9]+/' "$TMPD/exp.err" 2>/dev/null |
			grep -oE '[0-9]+/$' | tr -d /) || true
		[ -n "$port" ] && break
		kill -0 $exp_pid 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$port" ] && grep -q 'without libmicrohttpd' "$TMPD/exp.err"; then
		skip "the exporter's command line serves" "efadiag built without libmicrohttpd"
	else
		h=$(curl -s -m 10 "http://127.0.0.1:$port/healthz")
		m=$(curl -s -m 10 "http://127.0.0.1:$port/metrics")
		r=1
		[ "$h" = ok ] && grep -q '^efadiag_efa_tx_bytes_total{device="rdmap79s0",port="1"}' <<<"$m" &&
			grep -q '^efadiag_efa_lifespan_seconds{' <<<"$m" && r=0
		ok $r "the exporter's command line (${CMD[*]}) serves /healthz and /metrics"
		[ $r -eq 0 ] || diag "healthz: $h" "stderr: $(head -c 400 "$TMPD/exp.err")"
	fi
	kill -TERM $exp_pid 2>/dev/null
	wait $exp_pid 2>/dev/null
fi

# mesh's options as the launcher gives them: outside a PMIx launch, "could not run" (3), not a
# usage error (2).
mapfile -t MCMD < <(jq -r "$W.Launcher.template.spec.containers[0].command |
	.[index(\"efadiag\"):][]" "$TMPD/mesh.json")
env PATH="$BIN:$PATH" "${MCMD[@]}" >"$TMPD/mesh.out" 2>/dev/null
mrc=$?
ok "$([ $mrc -eq 3 ] && jq -e '.command == "mesh" and .status == "error"' "$TMPD/mesh.out" >/dev/null; echo $?)" \
	"the launcher's ${MCMD[*]}: options accepted (exit $mrc outside a PMIx launch)"

done_testing
