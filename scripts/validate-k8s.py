#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Validates rendered Kubernetes manifests (kubectl kustomize output) without a cluster.

    validate-k8s.py [--schemas DIR] [--no-policy] [-v] FILE|- ...

Every object of every YAML stream is checked:

- core objects (v1, apps/v1, batch/v1, ...) against the Kubernetes API models of the Python
  client (Debian's python3-kubernetes): the object is deserialized into the model class its
  apiVersion and kind name (V1DaemonSet for apps/v1 DaemonSet), with client-side validation,
  so a missing required field fails; and a walk of the same data along each model's
  attribute_map and openapi_types rejects a field the model does not have (a typo such as
  "nodeSelectorr") and a value of the wrong type (a string where an integer goes);
- custom resources against the openAPIV3Schema of their CRD, DIR/<group>_<version>_<Kind>.json
  (tests/fixtures/k8s-schemas), with python3-jsonschema; as the API server prunes (and with
  kubectl's strict field validation rejects) fields a structural schema does not name, every
  object schema without x-kubernetes-preserve-unknown-fields is closed (additionalProperties
  false). A pod template inside one (an MPIJob's replicas) is also checked as a core
  PodTemplateSpec;
- rules the API server applies that the models do not express: names, label selectors that
  match their pod templates, named ports that exist, extended resources and hugepages whose
  requests equal their limits, quantities that parse;
- and, unless --no-policy, efadiag's own rules, by the app.kubernetes.io/component label:
  the exporter requests no vpc.amazonaws.com/efa (it would take devices from the jobs it
  watches), runs non-root with a read-only root file system, no privilege, every capability
  dropped, read-only host mounts and /healthz probes; the node health job requests
  vpc.amazonaws.com/efa, hugepages-2Mi and IPC_LOCK and writes its summary where
  terminationMessagePath says; the mesh MPIJob's workers request vpc.amazonaws.com/efa and
  its launcher none; nothing is privileged.

Prints one line per problem (SOURCE: KIND NAME: PATH: WHAT) and a count; with -v also one line
per object checked. Exit status: 0 all valid, 1 a problem found, 2 could not run (usage, an
unreadable file or schema, a missing Python module).
"""
import argparse
import difflib
import json
import os
import re
import sys

try:
    import jsonschema
    import yaml
    from kubernetes import client as k8s
except ImportError as e:  # pragma: no cover - reported, exit 2
    print(f"validate-k8s: {e}: install python3-kubernetes, python3-jsonschema and python3-yaml",
          file=sys.stderr)
    sys.exit(2)

EFA = "vpc.amazonaws.com/efa"
COMPONENT = "app.kubernetes.io/component"

# Fields whose values are resource quantities: numbers are accepted there (the API takes a JSON
# number for a Quantity), strings must parse.
QUANTITY_FIELDS = {("V1ResourceRequirements", "limits"), ("V1ResourceRequirements", "requests"),
                   ("V1EmptyDirVolumeSource", "size_limit")}
# k8s.io/apimachinery/pkg/api/resource quantity grammar: a signed decimal number, then a binary
# suffix (Ki..Ei), a decimal SI suffix (n u m k M G T P E) or a decimal exponent (e3, E-2).
QUANTITY_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$")
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# IANA_SVC_NAME: a container or service port name.
PORT_NAME = re.compile(r"^(?=.{1,15}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")


class Report:
    def __init__(self):
        self.problems = 0

    def error(self, where, path, what):
        self.problems += 1
        print(f"{where}: {path}: {what}" if path else f"{where}: {what}")


def model_class(api_version, kind):
    """The python client's model for apiVersion/kind (apps/v1 DaemonSet: V1DaemonSet)."""
    version = api_version.split("/")[-1]
    name = version[:1].upper() + version[1:] + kind
    return getattr(k8s, name, None) if hasattr(k8s, name) else None


# --- core objects: the models --------------------------------------------------------------

def type_name(v):
    return type(v).__name__ if v is not None else "null"


def walk(rep, where, path, data, kind_str, owner=None, attr=None):
    """Checks data against a python-client type string, strictly (no coercion)."""
    if data is None:  # null is "unset" to the API server
        return
    if kind_str.startswith("list["):
        if not isinstance(data, list):
            rep.error(where, path, f"expected a list, got {type_name(data)}")
            return
        sub = kind_str[5:-1]
        for i, item in enumerate(data):
            walk(rep, where, f"{path}[{i}]", item, sub, owner, attr)
        return
    if kind_str.startswith("dict("):
        if not isinstance(data, dict):
            rep.error(where, path, f"expected a map, got {type_name(data)}")
            return
        sub = re.match(r"dict\(([^,]*), (.*)\)", kind_str).group(2)
        for k, v in data.items():
            if not isinstance(k, str):
                rep.error(where, path, f"map key {k!r} is not a string")
            walk(rep, where, f"{path}.{k}", v, sub, owner, attr)
        return
    quantity = (owner, attr) in QUANTITY_FIELDS
    if kind_str == "str":
        if quantity:
            if isinstance(data, bool) or not isinstance(data, (str, int, float)):
                rep.error(where, path, f"expected a quantity, got {type_name(data)}")
            elif isinstance(data, str) and not QUANTITY_RE.match(data):
                rep.error(where, path, f"{data!r} is not a quantity (e.g. 100m, 64Mi, 2)")
        elif not isinstance(data, str):
            rep.error(where, path, f"expected a string, got {type_name(data)} {data!r}")
        return
    if kind_str == "int":
        if isinstance(data, bool) or not isinstance(data, int):
            rep.error(where, path, f"expected an integer, got {type_name(data)} {data!r}")
        return
    if kind_str == "float":
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            rep.error(where, path, f"expected a number, got {type_name(data)} {data!r}")
        return
    if kind_str == "bool":
        if not isinstance(data, bool):
            rep.error(where, path, f"expected true or false, got {type_name(data)} {data!r}")
        return
    if kind_str in ("datetime", "date"):
        if not isinstance(data, str):
            rep.error(where, path, f"expected a time string, got {type_name(data)}")
        return
    if kind_str == "object":
        # IntOrString in the core API (ports, maxUnavailable), or free-form.
        return
    cls = getattr(k8s, kind_str, None)
    if cls is None:
        rep.error(where, path, f"internal: no model {kind_str}")
        return
    if not isinstance(data, dict):
        rep.error(where, path, f"expected an object ({kind_str}), got {type_name(data)} {data!r}")
        return
    by_json = {j: a for a, j in cls.attribute_map.items()}
    for key, value in data.items():
        if key not in by_json:
            near = difflib.get_close_matches(key, list(by_json), n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            rep.error(where, f"{path}.{key}", f"unknown field in {kind_str}{hint}")
            continue
        a = by_json[key]
        walk(rep, where, f"{path}.{key}", value, cls.openapi_types[a], kind_str, a)


def deserialize(rep, where, path, data, cls_name):
    """The client's own deserialization, with client-side validation (required fields)."""
    api = k8s.ApiClient()
    try:
        api._ApiClient__deserialize(data, cls_name)
    except (ValueError, TypeError) as e:
        rep.error(where, path, f"{cls_name}: {e}")


def check_core(rep, where, obj, cls):
    walk(rep, where, "", obj, cls.__name__)
    deserialize(rep, where, "", obj, cls.__name__)


# --- custom resources: their CRD schema ----------------------------------------------------

def close_schema(s):
    """A structural schema's unknown fields are pruned or, strictly, rejected: say so."""
    if isinstance(s, list):
        return [close_schema(x) for x in s]
    if not isinstance(s, dict):
        return s
    out = {k: close_schema(v) for k, v in s.items()}
    if ("properties" in s and "additionalProperties" not in s
            and not s.get("x-kubernetes-preserve-unknown-fields")):
        out["additionalProperties"] = False
    return out


def load_schema(schemas, api_version, kind):
    if "/" not in api_version:
        return None
    group, version = api_version.split("/", 1)
    path = os.path.join(schemas, f"{group}_{version}_{kind}.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return jsonschema.Draft4Validator(close_schema(json.load(f)))


def check_custom(rep, where, obj, validator):
    for e in sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path)):
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path)
        msg = e.message
        if e.validator == "additionalProperties":
            msg = "unknown field: " + msg
        rep.error(where, path, msg)
    # metadata is "type: object" in a CRD schema: the API server checks it as ObjectMeta.
    walk(rep, where, ".metadata", obj.get("metadata"), "V1ObjectMeta")


# --- what the API server checks besides the schema -----------------------------------------

def pod_templates(obj):
    """(path, pod template) pairs of an object: where its pods come from."""
    kind = obj.get("kind")
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    if kind == "Pod":
        return [("", obj)]
    if kind == "CronJob":
        jt = spec.get("jobTemplate", {}) or {}
        t = (jt.get("spec") or {}).get("template")
        return [(".spec.jobTemplate.spec.template", t)] if isinstance(t, dict) else []
    if kind == "MPIJob":
        out = []
        for role, rs in (spec.get("mpiReplicaSpecs") or {}).items():
            if isinstance(rs, dict) and isinstance(rs.get("template"), dict):
                out.append((f".spec.mpiReplicaSpecs.{role}.template", rs["template"]))
        return out
    t = spec.get("template")
    return [(".spec.template", t)] if isinstance(t, dict) else []


def containers(tpl):
    spec = tpl.get("spec") if isinstance(tpl.get("spec"), dict) else {}
    out = []
    for field in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(field) or []):
            if isinstance(c, dict):
                out.append((f".spec.{field}[{i}]", c))
    return out


def labels_of(obj):
    m = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    return m.get("labels") if isinstance(m.get("labels"), dict) else {}


def selector_matches(sel, labels):
    """A LabelSelector (matchLabels, matchExpressions) against a label map."""
    if not isinstance(sel, dict):
        return False
    for k, v in (sel.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in sel.get("matchExpressions") or []:
        op, key, vals = e.get("operator"), e.get("key"), e.get("values") or []
        if op == "In" and labels.get(key) not in vals:
            return False
        if op == "NotIn" and labels.get(key) in vals:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def resource_value(q):
    """A quantity as a number, for comparisons; None when it does not parse."""
    s = str(q)
    m = QUANTITY_RE.match(s)
    if not m:
        return None
    num = float(m.group(1)) * (-1 if s.startswith("-") else 1)
    suf = m.group(3) or ""
    bin_ = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
    dec = {"n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15,
           "E": 1e18}
    if suf in bin_:
        return num * bin_[suf]
    if suf in dec:
        return num * dec[suf]
    if suf[:1] in ("e", "E"):
        return num * 10 ** int(suf[1:])
    return num


def check_api_rules(rep, where, obj, stream):
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    name = meta.get("name")
    if isinstance(name, str) and not DNS1123_SUBDOMAIN.match(name):
        rep.error(where, ".metadata.name", f"{name!r} is not a DNS-1123 name")
    for path, labels in [(".metadata.labels", labels_of(obj))] + [
            (p + ".metadata.labels", labels_of(t)) for p, t in pod_templates(obj)]:
        for k, v in labels.items():
            if not isinstance(v, str) or not LABEL_VALUE.match(v) or len(v) > 63:
                rep.error(where, f"{path}.{k}", f"label value {v!r} is not valid (a string of "
                          "at most 63 letters, digits, -, _ or .)")
            if not LABEL_NAME.match(k.split("/")[-1]):
                rep.error(where, f"{path}.{k}", "label key is not valid")

    kind = obj.get("kind")
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    if kind in ("DaemonSet", "Deployment", "StatefulSet", "ReplicaSet"):
        tpl = spec.get("template") if isinstance(spec.get("template"), dict) else {}
        if not selector_matches(spec.get("selector"), labels_of(tpl)):
            rep.error(where, ".spec.selector", "does not match the pod template's labels")

    for tpath, tpl in pod_templates(obj):
        for cpath, c in containers(tpl):
            p = tpath + cpath
            port_names = set()
            for i, port in enumerate(c.get("ports") or []):
                n = port.get("name") if isinstance(port, dict) else None
                if n is not None:
                    if not isinstance(n, str) or not PORT_NAME.match(n):
                        rep.error(where, f"{p}.ports[{i}].name",
                                  f"{n!r} is not a port name (at most 15 of a-z 0-9 -)")
                    port_names.add(n)
            for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                pr = c.get(probe) if isinstance(c.get(probe), dict) else {}
                for handler in ("httpGet", "tcpSocket"):
                    h = pr.get(handler) if isinstance(pr.get(handler), dict) else {}
                    port = h.get("port")
                    if isinstance(port, str) and port not in port_names:
                        rep.error(where, f"{p}.{probe}.{handler}.port",
                                  f"no container port named {port!r}")
            res = c.get("resources") if isinstance(c.get("resources"), dict) else {}
            req = res.get("requests") if isinstance(res.get("requests"), dict) else {}
            lim = res.get("limits") if isinstance(res.get("limits"), dict) else {}
            for r in set(req) | set(lim):
                extended = "/" in r and not r.split("/")[0].endswith("kubernetes.io")
                if extended or r.startswith("hugepages-"):
                    if r not in lim:
                        rep.error(where, f"{p}.resources.limits", f"{r} is requested but has no "
                                  "limit (extended resources and hugepages need one)")
                    elif r in req and resource_value(req[r]) != resource_value(lim[r]):
                        rep.error(where, f"{p}.resources.requests.{r}",
                                  f"must equal its limit ({lim[r]})")
                if extended:
                    v = resource_value(lim.get(r, req.get(r)))
                    if v is None or v != int(v):
                        rep.error(where, f"{p}.resources.limits.{r}", "must be a whole number")
                if r.startswith("hugepages-") and not ({"cpu", "memory"} & (set(req) | set(lim))):
                    rep.error(where, f"{p}.resources", f"{r} needs a cpu or memory request too")

    if kind == "Service":
        sel = spec.get("selector") or {}
        pods = [t for o in stream for _, t in pod_templates(o)
                if (o.get("metadata") or {}).get("namespace") == meta.get("namespace")]
        chosen = [t for t in pods if sel and all(labels_of(t).get(k) == v for k, v in sel.items())]
        if sel and not chosen:
            rep.error(where, ".spec.selector", "selects no pod template of these manifests")
        names = {p.get("name") for t in chosen for _, c in containers(t) for p in c.get("ports") or []
                 if isinstance(p, dict)}
        for i, port in enumerate(spec.get("ports") or []):
            tp = port.get("targetPort") if isinstance(port, dict) else None
            if isinstance(tp, str) and chosen and tp not in names:
                rep.error(where, f".spec.ports[{i}].targetPort", f"no container port named {tp!r}")

    if kind in ("ServiceMonitor", "PodMonitor"):
        targets = [o for o in stream if o.get("kind") == ("Service" if kind == "ServiceMonitor"
                                                          else "Pod")]
        if kind == "PodMonitor":
            targets = [{"metadata": {"labels": labels_of(t)}} for o in stream
                       for _, t in pod_templates(o)]
        chosen = [o for o in targets if selector_matches(spec.get("selector"), labels_of(o))]
        if not chosen:
            rep.error(where, ".spec.selector", f"selects no {'Service' if kind == 'ServiceMonitor' else 'pod'} "
                      "of these manifests")
        if kind == "ServiceMonitor":
            names = {p.get("name") for o in chosen for p in (o.get("spec") or {}).get("ports") or []}
            for i, ep in enumerate(spec.get("endpoints") or []):
                if isinstance(ep, dict) and ep.get("port") and chosen and ep["port"] not in names:
                    rep.error(where, f".spec.endpoints[{i}].port",
                              f"the Service has no port named {ep['port']!r}")


# --- efadiag's rules -----------------------------------------------------------------------

def requests_of(c):
    res = c.get("resources") if isinstance(c.get("resources"), dict) else {}
    return [(f, res.get(f) if isinstance(res.get(f), dict) else {}) for f in ("requests", "limits")]


def check_policy(rep, where, obj):
    comp = labels_of(obj).get(COMPONENT)
    for tpath, tpl in pod_templates(obj):
        tcomp = labels_of(tpl).get(COMPONENT, comp)
        pspec = tpl.get("spec") if isinstance(tpl.get("spec"), dict) else {}
        psc = pspec.get("securityContext") if isinstance(pspec.get("securityContext"), dict) else {}
        role = tpath.split(".")[3] if obj.get("kind") == "MPIJob" else None
        for cpath, c in containers(tpl):
            p = tpath + cpath
            sc = c.get("securityContext") if isinstance(c.get("securityContext"), dict) else {}
            if sc.get("privileged") is True:
                rep.error(where, f"{p}.securityContext.privileged", "no efadiag pod is privileged")
            efa = [(f, r.get(EFA)) for f, r in requests_of(c) if r.get(EFA) is not None]
            caps = sc.get("capabilities") if isinstance(sc.get("capabilities"), dict) else {}
            if tcomp == "exporter":
                if efa:
                    rep.error(where, f"{p}.resources.{efa[0][0]}.{EFA}", "the exporter must not "
                              "request EFA devices: it reads /sys only, and a request takes "
                              "devices away from the jobs")
                if sc.get("readOnlyRootFilesystem") is not True:
                    rep.error(where, f"{p}.securityContext.readOnlyRootFilesystem",
                              "the exporter's root file system must be read-only")
                if sc.get("allowPrivilegeEscalation") is not False:
                    rep.error(where, f"{p}.securityContext.allowPrivilegeEscalation",
                              "must be false for the exporter")
                if "ALL" not in (caps.get("drop") or []):
                    rep.error(where, f"{p}.securityContext.capabilities.drop",
                              "the exporter drops ALL capabilities")
                if caps.get("add"):
                    rep.error(where, f"{p}.securityContext.capabilities.add",
                              "the exporter adds no capability")
                if sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is not True:
                    rep.error(where, f"{p}.securityContext.runAsNonRoot",
                              "the exporter runs as non-root")
                for f, r in requests_of(c):
                    if not r.get("cpu") or not r.get("memory"):
                        rep.error(where, f"{p}.resources.{f}", "the exporter sets cpu and memory")
                for probe in ("livenessProbe", "readinessProbe"):
                    h = (c.get(probe) or {}).get("httpGet") or {}
                    if h.get("path") != "/healthz":
                        rep.error(where, f"{p}.{probe}", "the exporter is probed on /healthz")
                for i, vm in enumerate(c.get("volumeMounts") or []):
                    vols = {v.get("name"): v for v in pspec.get("volumes") or []}
                    if "hostPath" in vols.get(vm.get("name"), {}) and vm.get("readOnly") is not True:
                        rep.error(where, f"{p}.volumeMounts[{i}].readOnly",
                                  "the exporter mounts host paths read-only")
                for host in ("hostNetwork", "hostPID", "hostIPC"):
                    if pspec.get(host) is True:
                        rep.error(where, f"{tpath}.spec.{host}", "the exporter needs no host namespace")
            elif tcomp == "node-health":
                if not efa:
                    rep.error(where, f"{p}.resources", f"the node health job requests {EFA}")
                if not any("hugepages-2Mi" in r for _, r in requests_of(c)):
                    rep.error(where, f"{p}.resources", "the node health job requests hugepages-2Mi")
                if "IPC_LOCK" not in (caps.get("add") or []):
                    rep.error(where, f"{p}.securityContext.capabilities.add",
                              "the node health job adds IPC_LOCK")
                tmp = c.get("terminationMessagePath", "/dev/termination-log")
                env = {e.get("name"): e.get("value") for e in c.get("env") or []}
                if c.get("terminationMessagePolicy", "File") != "File":
                    rep.error(where, f"{p}.terminationMessagePolicy",
                              "File: the summary is the termination message")
                if env.get("TERMINATION_LOG") != tmp:
                    rep.error(where, f"{p}.env.TERMINATION_LOG",
                              f"must be terminationMessagePath ({tmp})")
            elif tcomp == "mesh" and role == "Worker":
                if not efa:
                    rep.error(where, f"{p}.resources", f"mesh workers request {EFA}")
                if "IPC_LOCK" not in (caps.get("add") or []):
                    rep.error(where, f"{p}.securityContext.capabilities.add",
                              "mesh workers add IPC_LOCK")
            elif tcomp == "mesh" and role == "Launcher":
                if efa:
                    rep.error(where, f"{p}.resources.{efa[0][0]}.{EFA}",
                              "the mesh launcher runs no rank: it must not hold EFA devices")


# --- driver --------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", help="YAML streams, - for standard input")
    ap.add_argument("--schemas", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                      "..", "tests", "fixtures", "k8s-schemas"),
                    help="directory of CRD schemas, <group>_<version>_<Kind>.json")
    ap.add_argument("--no-policy", action="store_true", help="skip efadiag's own rules")
    ap.add_argument("-v", "--verbose", action="store_true", help="a line per object checked")
    args = ap.parse_args()
    if not os.path.isdir(args.schemas):
        print(f"validate-k8s: {args.schemas}: no such directory", file=sys.stderr)
        return 2

    rep = Report()
    count = 0
    for fn in args.files:
        try:
            text = sys.stdin.read() if fn == "-" else open(fn).read()
            docs = [d for d in yaml.safe_load_all(text) if d is not None]
        except (OSError, yaml.YAMLError) as e:
            print(f"validate-k8s: {fn}: {e}", file=sys.stderr)
            return 2
        src = "stdin" if fn == "-" else fn
        for i, obj in enumerate(docs):
            if not isinstance(obj, dict):
                rep.error(f"{src}: document {i + 1}", "", "not a mapping")
                continue
            av, kind = obj.get("apiVersion"), obj.get("kind")
            name = (obj.get("metadata") or {}).get("name") if isinstance(obj.get("metadata"), dict) else None
            where = f"{src}: {kind} {name}"
            if not isinstance(av, str) or not isinstance(kind, str) or not isinstance(name, str):
                rep.error(f"{src}: document {i + 1}", "", "needs apiVersion, kind and metadata.name")
                continue
            count += 1
            before = rep.problems
            try:
                validator = load_schema(args.schemas, av, kind)
            except (OSError, ValueError) as e:
                print(f"validate-k8s: schema for {av} {kind}: {e}", file=sys.stderr)
                return 2
            cls = model_class(av, kind)
            if validator is not None:
                check_custom(rep, where, obj, validator)
                for tpath, tpl in pod_templates(obj):
                    walk(rep, where, tpath, tpl, "V1PodTemplateSpec")
                    deserialize(rep, where, tpath, tpl, "V1PodTemplateSpec")
                how = "CRD schema"
            elif cls is not None:
                check_core(rep, where, obj, cls)
                how = cls.__name__
            else:
                rep.error(where, "", f"no model for {av} {kind} and no schema "
                          f"{av.replace('/', '_')}_{kind}.json in {args.schemas}")
                continue
            check_api_rules(rep, where, obj, docs)
            if not args.no_policy:
                check_policy(rep, where, obj)
            if args.verbose and rep.problems == before:
                ns = (obj.get("metadata") or {}).get("namespace", "")
                print(f"ok {av} {kind} {ns + '/' if ns else ''}{name} ({how})")
    if not count and not rep.problems:
        print("validate-k8s: no objects", file=sys.stderr)
        return 2
    print(f"validate-k8s: {count} object{'s' if count != 1 else ''}, "
          f"{rep.problems} problem{'s' if rep.problems != 1 else ''}")
    return 1 if rep.problems else 0


if __name__ == "__main__":
    sys.exit(main())
