#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Helper of tests/k8s-manifests.sh, on a rendered YAML stream (standard input):

    k8s-yaml.py json             the stream as one JSON array, for jq
    k8s-yaml.py mutate NAME      the stream with one deliberate mistake NAME, as YAML
    k8s-yaml.py list             the mutation names

A mutation whose target is not in the stream exits 3: a broken copy that is not broken would
make the validator's rejection of it prove nothing.
"""
import json
import sys

import yaml

EFA = "vpc.amazonaws.com/efa"


def find(docs, kind):
    for d in docs:
        if isinstance(d, dict) and d.get("kind") == kind:
            return d
    raise LookupError(f"no {kind} in the stream")


def pod_spec(docs, kind, role=None):
    o = find(docs, kind)
    if kind == "MPIJob":
        return o["spec"]["mpiReplicaSpecs"][role]["template"]["spec"]
    return o["spec"]["template"]["spec"]


def container(docs, kind, role=None):
    return pod_spec(docs, kind, role)["containers"][0]


def rename(d, old, new):
    if old not in d:
        raise LookupError(f"no {old} to rename")
    d[new] = d.pop(old)


def delete(d, key):
    if key not in d:
        raise LookupError(f"no {key} to delete")
    del d[key]


def set_existing(d, key, value):
    if key not in d:
        raise LookupError(f"no {key} to change")
    d[key] = value


def add_efa(c):
    for f in ("requests", "limits"):
        c.setdefault("resources", {}).setdefault(f, {})[EFA] = 1


def drop_efa(c):
    for f in ("requests", "limits"):
        delete(c["resources"][f], EFA)


MUTATIONS = {
    # an unknown field, in a core object and in a custom resource
    "unknown-field-core": lambda ds: rename(pod_spec(ds, "DaemonSet"), "affinity", "afinity"),
    "unknown-field-core-nodeselector":
        lambda ds: pod_spec(ds, "DaemonSet").__setitem__("nodeSelectorr", {"a": "b"}),
    "unknown-field-crd": lambda ds: rename(find(ds, "MPIJob")["spec"], "slotsPerWorker",
                                           "slotPerWorker"),
    "unknown-field-crd-template": lambda ds: rename(pod_spec(ds, "MPIJob", "Worker"),
                                                    "nodeSelector", "nodeSelectorr"),
    "unknown-field-servicemonitor":
        lambda ds: rename(find(ds, "ServiceMonitor")["spec"]["endpoints"][0], "interval",
                          "intervall"),
    # a value of the wrong type
    "wrong-type-core": lambda ds: set_existing(find(ds, "Job")["spec"], "backoffLimit", "none"),
    "wrong-type-core-port":
        lambda ds: set_existing(container(ds, "DaemonSet")["ports"][0], "containerPort", "9478"),
    "wrong-type-crd": lambda ds: set_existing(find(ds, "MPIJob")["spec"], "slotsPerWorker", "one"),
    # a required field left out
    "missing-required-core": lambda ds: delete(find(ds, "Service")["spec"]["ports"][0], "port"),
    "missing-required-container-name": lambda ds: delete(container(ds, "Job"), "name"),
    "missing-required-crd": lambda ds: delete(find(ds, "MPIJob")["spec"], "mpiReplicaSpecs"),
    "missing-required-servicemonitor": lambda ds: delete(find(ds, "ServiceMonitor")["spec"],
                                                         "selector"),
    # a quantity that does not parse, an extended resource whose request is not its limit
    "bad-quantity": lambda ds: set_existing(container(ds, "DaemonSet")["resources"]["limits"],
                                            "memory", "64MB"),
    "efa-request-not-limit": lambda ds: set_existing(container(ds, "Job")["resources"]["requests"],
                                                     EFA, 1),
    # selectors and named ports that point at nothing
    "selector-mismatch": lambda ds: set_existing(find(ds, "Service")["spec"]["selector"],
                                                 "app.kubernetes.io/component", "exporterr"),
    "probe-port-name": lambda ds: set_existing(container(ds, "DaemonSet")["livenessProbe"]["httpGet"],
                                               "port", "metric"),
    # efadiag's safety rules
    "exporter-requests-efa": lambda ds: add_efa(container(ds, "DaemonSet")),
    "exporter-writable-root": lambda ds: set_existing(container(ds, "DaemonSet")["securityContext"],
                                                      "readOnlyRootFilesystem", False),
    "exporter-privileged": lambda ds: set_existing(container(ds, "DaemonSet")["securityContext"],
                                                   "privileged", True),
    "exporter-keeps-capabilities":
        lambda ds: delete(container(ds, "DaemonSet")["securityContext"], "capabilities"),
    "health-no-efa": lambda ds: drop_efa(container(ds, "Job")),
    "health-no-ipc-lock":
        lambda ds: set_existing(container(ds, "Job")["securityContext"]["capabilities"], "add", []),
    "mesh-worker-no-efa": lambda ds: drop_efa(container(ds, "MPIJob", "Worker")),
    "mesh-launcher-efa": lambda ds: add_efa(container(ds, "MPIJob", "Launcher")),
}


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    if sys.argv[1] == "list":
        print("\n".join(MUTATIONS))
        return 0
    docs = [d for d in yaml.safe_load_all(sys.stdin) if d is not None]
    if sys.argv[1] == "json":
        json.dump(docs, sys.stdout)
        print()
        return 0
    if sys.argv[1] == "mutate" and len(sys.argv) == 3 and sys.argv[2] in MUTATIONS:
        try:
            MUTATIONS[sys.argv[2]](docs)
        except (LookupError, KeyError, IndexError, TypeError) as e:
            print(f"k8s-yaml: mutation {sys.argv[2]} does not apply: {e}", file=sys.stderr)
            return 3
        yaml.safe_dump_all(docs, sys.stdout, sort_keys=False)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
