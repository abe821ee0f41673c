#!/usr/bin/env python3
"""A Kubernetes API server double for Vigil's tests.

No API server can run on the test machines, so this speaks the public wire
format of the parts Vigil reads (Kubernetes "API Concepts"):

* GET lists of pods (core v1) and DatadogPodAutoscalers (datadoghq.com
  v1alpha2), cluster-wide or per namespace, paged with `limit` and an opaque
  `continue` token, each list carrying `metadata.resourceVersion`;
  `fieldSelector` (spec.nodeName, metadata.namespace, metadata.name, joined
  with commas) and `labelSelector` (k=v, commas).
* `watch=1` from a `resourceVersion`: a chunked stream of newline-delimited
  JSON events ADDED / MODIFIED / DELETED, BOOKMARK when
  `allowWatchBookmarks=true`, and ERROR carrying a Status object.
* 410 Gone in both forms: an HTTP 410 with a Status body (an expired
  `continue` token, or a watch from a compacted resourceVersion in `http`
  mode), and an in-stream ERROR event with a Status of code 410 (a watch
  from a compacted resourceVersion in `event` mode, or every open watch on
  POST /expire-watches).
* POST /compact?end_watches=1 (or /end-watches) ends open watches normally,
  as the server's own timeout does, so that a client resumes from its last
  resourceVersion.
* TLS with the certificate and key the test made, and a bearer token read
  from a file at every request (so a test can rotate it): 401 otherwise.

Every request is recorded. A second, plain-HTTP listener on loopback is the
test's control channel (objects, expiry, compaction, the request log).

Usage: apiserver_double.py --cert C --key K --token-file T --ready-file R
The ready file receives "<api_port> <control_port>" once both listen.
"""
import argparse
import base64
import copy
import json
import ssl
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RESOURCES = {
    "pods": {"prefix": "/api/v1", "apiVersion": "v1", "kind": "Pod", "listKind": "PodList"},
    "datadogpodautoscalers": {"prefix": "/apis/datadoghq.com/v1alpha2", "apiVersion": "datadoghq.com/v1alpha2",
                              "kind": "DatadogPodAutoscaler", "listKind": "DatadogPodAutoscalerList"},
}


class Store:
    def __init__(self):
        self.cond = threading.Condition()
        self.rv = 1000
        self.objects = {r: {} for r in RESOURCES}      # resource -> (ns, name) -> object
        self.history = {r: [] for r in RESOURCES}      # resource -> [(rv, type, object)]
        self.compacted = {r: 0 for r in RESOURCES}     # a watch from below this rv is too old
        self.expired_mode = "event"                    # how a too-old watch is refused: "event" or "http"
        self.snapshots = {}                            # continue token id -> (rv, [objects])
        self.requests = []
        self.expire_generation = 0
        self.end_generation = 0
        self.open_watches = 0

    def put(self, resource, obj):
        with self.cond:
            meta = obj.setdefault("metadata", {})
            meta.setdefault("namespace", "default")
            key = (meta["namespace"], meta["name"])
            old = self.objects[resource].get(key)
            meta.setdefault("uid", old["metadata"]["uid"] if old else str(uuid.uuid4()))
            meta.setdefault("creationTimestamp", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
            self.rv += 1
            meta["resourceVersion"] = str(self.rv)
            obj["kind"] = RESOURCES[resource]["kind"]
            obj["apiVersion"] = RESOURCES[resource]["apiVersion"]
            self.objects[resource][key] = obj
            self.history[resource].append((self.rv, "MODIFIED" if old else "ADDED", copy.deepcopy(obj)))
            self.cond.notify_all()
            return obj

    def delete(self, resource, ns, name):
        with self.cond:
            obj = self.objects[resource].pop((ns, name), None)
            if obj is None:
                return None
            self.rv += 1
            obj = copy.deepcopy(obj)
            obj["metadata"]["resourceVersion"] = str(self.rv)
            self.history[resource].append((self.rv, "DELETED", obj))
            self.cond.notify_all()
            return obj

    def end_watches(self):
        """Ends every open watch normally, as a server-side timeout does."""
        with self.cond:
            self.end_generation += 1
            self.cond.notify_all()

    def compact(self, mode=None):
        with self.cond:
            for r in RESOURCES:
                self.compacted[r] = self.rv + 1
                self.history[r] = []
            self.snapshots.clear()
            if mode:
                self.expired_mode = mode

    def expire_watches(self):
        with self.cond:
            self.compact()
            self.expire_generation += 1
            self.cond.notify_all()


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


def parse_selector(text):
    out = []
    for part in filter(None, (text or "").split(",")):
        if "!=" in part:
            k, v = part.split("!=", 1)
            out.append((k, v, False))
        else:
            k, v = part.split("==", 1) if "==" in part else part.split("=", 1)
            out.append((k, v, True))
    return out


def field_value(obj, path):
    value = obj
    for key in path.split("."):
        value = value.get(key, {}) if isinstance(value, dict) else {}
    return value if isinstance(value, str) else ""


def matches(obj, ns, fields, labels):
    meta = obj["metadata"]
    if ns is not None and meta.get("namespace") != ns:
        return False
    for k, v, eq in fields:
        if (field_value(obj, k) == v) != eq:
            return False
    for k, v, eq in labels:
        if ((meta.get("labels") or {}).get(k) == v) != eq:
            return False
    return True


def route(path):
    """(resource, namespace or None) for an API path, or None."""
    for resource, info in RESOURCES.items():
        prefix = info["prefix"]
        if path == f"{prefix}/{resource}":
            return resource, None
        if path.startswith(prefix + "/namespaces/") and path.endswith("/" + resource):
            middle = path[len(prefix + "/namespaces/"):-len("/" + resource)]
            if middle and "/" not in middle:
                return resource, middle
    return None


def make_api_handler(store, token_file, bookmark_interval):
    class API(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send_json(self, code, body):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def chunk(self, data):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
            with open(token_file) as f:
                expected = f.read().strip()
            auth = self.headers.get("Authorization", "")
            authorized = auth == "Bearer " + expected
            record = {"method": "GET", "path": url.path, "query": query, "authorized": authorized,
                      "token": auth[7:] if auth.startswith("Bearer ") else "", "time": time.time()}
            with store.cond:
                store.requests.append(record)
            if not authorized:
                return self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
            target = route(url.path)
            if target is None:
                return self.send_json(404, status(404, "NotFound", f"the server could not find the requested resource ({url.path})"))
            resource, ns = target
            try:
                fields = parse_selector(query.get("fieldSelector"))
                labels = parse_selector(query.get("labelSelector"))
            except ValueError:
                return self.send_json(400, status(400, "BadRequest", "unable to parse selector"))
            if query.get("watch") in ("1", "true"):
                return self.watch(resource, ns, fields, labels, query)
            return self.list(resource, ns, fields, labels, query)

        def list(self, resource, ns, fields, labels, query):
            info = RESOURCES[resource]
            limit = int(query.get("limit") or 0)
            token = query.get("continue")
            with store.cond:
                if token:
                    try:
                        decoded = json.loads(base64.b64decode(token))
                        snap_rv, items = store.snapshots[decoded["id"]]
                        start = decoded["start"]
                    except (KeyError, ValueError):
                        return self.send_json(410, status(410, "Expired",
                            "The provided continue parameter is too old to display a consistent list result. "
                            "You can start a new list without the continue parameter."))
                else:
                    items = sorted((copy.deepcopy(o) for o in store.objects[resource].values()
                                    if matches(o, ns, fields, labels)),
                                   key=lambda o: (o["metadata"]["namespace"], o["metadata"]["name"]))
                    snap_rv, start = store.rv, 0
                page = items[start:start + limit] if limit > 0 else items[start:]
                meta = {"resourceVersion": str(snap_rv)}
                if limit > 0 and start + limit < len(items):
                    sid = str(uuid.uuid4())
                    store.snapshots[sid] = (snap_rv, items)
                    meta["continue"] = base64.b64encode(json.dumps({"id": sid, "start": start + limit}).encode()).decode()
                    meta["remainingItemCount"] = len(items) - start - limit
            self.send_json(200, {"kind": info["listKind"], "apiVersion": info["apiVersion"], "metadata": meta, "items": page})

        def watch(self, resource, ns, fields, labels, query):
            info = RESOURCES[resource]
            try:
                since = int(query.get("resourceVersion") or 0)
            except ValueError:
                return self.send_json(400, status(400, "BadRequest", "invalid resourceVersion"))
            bookmarks = query.get("allowWatchBookmarks") == "true"
            timeout = float(query.get("timeoutSeconds") or 1800)
            with store.cond:
                too_old = since < store.compacted[resource]
                mode = store.expired_mode
                generation = store.expire_generation
                ending = store.end_generation
            gone = status(410, "Expired", f"too old resource version: {since} ({store.compacted[resource]})")
            if too_old and mode == "http":
                return self.send_json(410, gone)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if too_old:
                self.chunk(json.dumps({"type": "ERROR", "object": gone}).encode() + b"\n")
                self.chunk(b"")
                return
            deadline = time.time() + timeout
            last_bookmark = time.time()
            sent = since
            with store.cond:
                store.open_watches += 1
            try:
                while True:
                    with store.cond:
                        if store.expire_generation != generation:
                            event = {"type": "ERROR", "object": status(410, "Expired", f"too old resource version: {sent} ({store.rv})")}
                            pending = None
                        else:
                            event = None
                            pending = [(rv, t, o) for rv, t, o in store.history[resource] if rv > sent]
                            if not pending:
                                store.cond.wait(timeout=min(bookmark_interval, max(0.01, deadline - time.time())))
                                pending = [(rv, t, o) for rv, t, o in store.history[resource] if rv > sent]
                            current = store.rv
                    if event is not None:
                        self.chunk(json.dumps(event).encode() + b"\n")
                        break
                    if store.end_generation != ending:
                        break
                    for rv, kind, obj in pending:
                        sent = rv
                        if matches(obj, ns, fields, labels):
                            self.chunk(json.dumps({"type": kind, "object": obj}).encode() + b"\n")
                    if bookmarks and time.time() - last_bookmark >= bookmark_interval:
                        last_bookmark = time.time()
                        sent = max(sent, current)
                        self.chunk(json.dumps({"type": "BOOKMARK", "object": {
                            "kind": info["kind"], "apiVersion": info["apiVersion"],
                            "metadata": {"resourceVersion": str(sent)}}}).encode() + b"\n")
                    if time.time() >= deadline:
                        break
                self.chunk(b"")
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                pass
            finally:
                with store.cond:
                    store.open_watches -= 1

    return API


def make_control_handler(store):
    class Control(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, code, body):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(n) or b"null")

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            parts = url.path.strip("/").split("/")
            if parts == ["requests"]:
                with store.cond:
                    return self.reply(200, list(store.requests))
            if parts[0] == "objects" and len(parts) == 2 and parts[1] in RESOURCES:
                with store.cond:
                    return self.reply(200, list(store.objects[parts[1]].values()))
            if parts == ["watches"]:
                with store.cond:
                    return self.reply(200, {"open": store.open_watches})
            self.reply(404, {"error": "unknown control path"})

        def do_POST(self):
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            parts = url.path.strip("/").split("/")
            if parts[0] == "objects" and len(parts) == 2 and parts[1] in RESOURCES:
                body = self.body()
                objs = body if isinstance(body, list) else [body]
                return self.reply(200, [store.put(parts[1], o) for o in objs])
            if parts == ["expire-watches"]:
                store.expire_watches()
                return self.reply(200, {"ok": True})
            if parts == ["compact"]:
                store.compact(query.get("mode"))
                if query.get("end_watches") == "1":
                    store.end_watches()
                return self.reply(200, {"ok": True})
            if parts == ["end-watches"]:
                store.end_watches()
                return self.reply(200, {"ok": True})
            if parts == ["requests", "clear"]:
                with store.cond:
                    store.requests.clear()
                return self.reply(200, {"ok": True})
            self.reply(404, {"error": "unknown control path"})

        def do_DELETE(self):
            parts = urllib.parse.urlsplit(self.path).path.strip("/").split("/")
            if parts[0] == "objects" and len(parts) == 4 and parts[1] in RESOURCES:
                obj = store.delete(parts[1], parts[2], parts[3])
                return self.reply(200 if obj else 404, obj or {"error": "not found"})
            self.reply(404, {"error": "unknown control path"})

    return Control


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--token-file", required=True)
    p.add_argument("--ready-file", required=True)
    p.add_argument("--bookmark-interval", type=float, default=1.0)
    args = p.parse_args()
    store = Store()
    api = ThreadingHTTPServer(("127.0.0.1", 0), make_api_handler(store, args.token_file, args.bookmark_interval))
    api.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    api.socket = context.wrap_socket(api.socket, server_side=True)
    control = ThreadingHTTPServer(("127.0.0.1", 0), make_control_handler(store))
    control.daemon_threads = True
    threading.Thread(target=control.serve_forever, daemon=True).start()
    with open(args.ready_file + ".tmp", "w") as f:
        f.write(f"{api.server_address[1]} {control.server_address[1]}\n")
    import os
    os.rename(args.ready_file + ".tmp", args.ready_file)
    api.serve_forever()


if __name__ == "__main__":
    main()
