#!/usr/bin/env python3
"""Start a real Backstage backend with a container's environment and check it.

Usage:
  python3 tests/backstage/run.py --env-file ENV.json --health-path PATH --grace SECS [--port PORT]

ENV.json is a JSON object, name -> value (strings): the environment the ECS
task definition gives the container, secrets already resolved. The script

  1. runs `npm ci` in tests/backstage when node_modules is missing or was
     installed from another package-lock.json;
  2. starts a PostgreSQL in a temporary directory, configured like Aurora with
     rds.force_ssl=1: TCP only through `hostssl` (TLS required), scram-sha-256
     passwords, a certificate signed by a throwaway CA (the stand-in for the
     RDS CA bundle); creates the role POSTGRES_USER / POSTGRES_PASSWORD with
     the rights of an RDS master user (LOGIN CREATEDB CREATEROLE, no
     superuser), and the database POSTGRES_DB if the environment has one;
  3. starts the backend (src/index.js) as a new app's Dockerfile does
     (`node packages/backend --config app-config.yaml --config
     app-config.production.yaml`, NODE_ENV=production) with exactly ENV.json,
     except that POSTGRES_HOST/POSTGRES_PORT point at the local server and the
     CA-bundle variables (NODE_EXTRA_CA_CERTS, PGSSLROOTCERT), where present,
     at the local CA: the paths they hold exist in the image, not here;
  4. polls http://127.0.0.1:PORT/PATH (PORT: --port, the task definition's
     container port; default CONTAINER_PORT of ENV.json) until it answers 200
     or SECS have passed since the backend was started; it fails sooner where
     waiting cannot help (the backend exited or Backstage reported that its
     start-up failed; Backstage is ready on another port; Backstage is ready
     and PATH does not answer 200); if PATH is not the readiness endpoint,
     that must answer 200 too within SECS (a path such as the liveness
     endpoint answers 200 even when the plugins failed to start);
  5. checks with psql, over verified TLS as the app's user, that the catalog
     plugin's tables exist in its database (backstage_plugin_catalog), and
     that the backend logged no warning or error (where a variable of
     app-config.production.yaml is unset, a new app's config falls back to
     app-config.yaml's localhost values, and Backstage only warns).

It prints one JSON line on stdout (ok, start-up seconds, health answer, tables
found, the backend's memory) and exits 0 only if every check holds; 1 if one
fails (the reason on stderr and in the JSON's "error"), 2 on a usage or set-up
problem, 128 + the signal's number when interrupted (130: Ctrl-C). It always
stops the backend and PostgreSQL and removes its temporary directory, also on
failure or interruption. Progress goes to stderr.
"""

import argparse
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOCK_MARK = "node_modules/.bs-lock-sha256"
READINESS_PATH = "/.backstage/health/v1/readiness"
PLUGIN_DB = "backstage_plugin_catalog"
REQUIRED_TABLES = ("final_entities", "refresh_state")
BOOTSTRAP_USER = "bs_bootstrap"
CA_PATH_VARS = ("NODE_EXTRA_CA_CERTS", "PGSSLROOTCERT")


class Fail(Exception):
    """A check did not hold (exit 1)."""


class SetupError(Exception):
    """The script could not do its work (exit 2)."""


class Interrupted(Exception):
    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def log(msg):
    print(f"run.py: {msg}", file=sys.stderr, flush=True)


def on_signal(signum, _frame):
    raise Interrupted(signum)


# ---------------------------------------------------------------- npm install

def lock_hash():
    return hashlib.sha256((HERE / "package-lock.json").read_bytes() + (HERE / "package.json").read_bytes()).hexdigest()


def npm_ci_command():
    npm = shutil.which("npm")
    if not npm:
        raise SetupError("npm not found on PATH (Node.js 20 or later with npm is needed)")
    return [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]


def ensure_node_modules():
    """npm ci when node_modules is missing or stale; returns seconds or None."""
    want = lock_hash()
    mark = HERE / LOCK_MARK
    if mark.is_file() and mark.read_text().strip() == want:
        return None
    cmd = npm_ci_command()
    log("npm ci (node_modules missing or installed from another lock file)")
    t0 = time.monotonic()
    r = subprocess.run(
        cmd, cwd=HERE, stdin=subprocess.DEVNULL, stdout=sys.stderr, stderr=sys.stderr,
    )
    if r.returncode != 0:
        raise SetupError(f"npm ci failed (exit {r.returncode}) in {HERE}")
    mark.write_text(want + "\n")
    return round(time.monotonic() - t0, 1)


# ---------------------------------------------------------------- helpers

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_in_use(port):
    for family, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        try:
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.settimeout(0.5)
                if s.connect_ex((addr, port)) == 0:
                    return True
        except OSError:
            pass
    return False


def find_pg_bindir(given):
    if given:
        d = Path(given)
    elif shutil.which("initdb"):
        d = Path(shutil.which("initdb")).resolve().parent  # Debian links /usr/lib/postgresql/N/bin/initdb
    else:
        cands = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                       key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
        if not cands:
            raise SetupError("PostgreSQL server binaries not found (initdb): "
                             "apt-get install postgresql, or give --pg-bindir")
        d = cands[-1].parent
    for b in ("initdb", "postgres", "pg_isready"):
        if not (d / b).is_file():
            raise SetupError(f"{d / b} not found (--pg-bindir)")
    return d


def run_quiet(cmd, what, **kw):
    r = subprocess.run(cmd, stdin=kw.pop("stdin", subprocess.DEVNULL), capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise SetupError(f"{what} failed (exit {r.returncode}): {(r.stderr or r.stdout).strip()[-800:]}")
    return r.stdout


def tail(path, n=25):
    try:
        lines = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(lines[-n:])


def shorten(msg):
    """One line of a Backstage error: its first clause and its root cause."""
    first = msg.strip().splitlines()[0] if msg.strip() else ""
    parts = re.split(r", Error: |; caused by Error: ", first)
    if len(parts) > 2:
        first = f"{parts[0].split('. ')[0]}: ... {parts[-1]}"
    return first[:360]


def backend_problems(path):
    """(warnings and errors the backend logged, in order, without repeats;
    whether Backstage said its start-up failed). Production logs are JSON
    lines; the database driver's own errors are plain lines with a stack."""
    out, failed = [], False
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return [], False
    for line in text.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            rec = None
        if not isinstance(rec, dict):
            plain = line.strip()
            if plain and not plain.startswith(("at ", "Loading config from ", "(Use `node --trace-")) \
                    and not re.match(r"\(node:\d+\) \[DEP\d+\] DeprecationWarning", plain):
                item = plain[:360]
            else:
                continue
        elif rec.get("level") in ("warn", "warning", "error", "fatal"):
            msg = str(rec.get("message", ""))
            failed = failed or "Backend startup failed" in msg
            item = f"{rec['level']}: {shorten(msg)}"
        else:
            continue
        if item not in out:
            out.append(item)
    return out, failed


def proc_mem_mib(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None, None
    vals = {}
    for key in ("VmRSS", "VmHWM"):
        m = re.search(rf"^{key}:\s+(\d+) kB", status, re.M)
        vals[key] = round(int(m.group(1)) / 1024, 1) if m else None
    return vals["VmRSS"], vals["VmHWM"]


def http_get(url, timeout=2.0):
    """(status or None, body or error text)."""
    req = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read(300).decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read(300).decode(errors="replace")
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        return None, str(reason)


# ---------------------------------------------------------------- PostgreSQL

class Postgres:
    """A throwaway PostgreSQL that, like Aurora with rds.force_ssl=1, takes TCP
    connections only over TLS."""

    def __init__(self, bindir, tmp):
        self.bindir = bindir
        self.tmp = tmp
        self.dir = tmp / "pg"
        self.data = self.dir / "data"
        self.ca = tmp / "ca.crt"
        self.port = free_port()
        self.proc = None
        self.log = tmp / "postgres.log"
        self.run_as = {}
        if os.geteuid() == 0:  # postgres refuses to run as root
            try:
                pw = pwd.getpwnam("nobody")
            except KeyError:
                raise SetupError("running as root and there is no `nobody` user to run PostgreSQL as")
            self.run_as = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}
            self.uid, self.gid = pw.pw_uid, pw.pw_gid
        else:
            self.uid, self.gid = os.getuid(), os.getgid()

    def _certs(self):
        openssl = shutil.which("openssl")
        if not openssl:
            raise SetupError("openssl not found on PATH")
        ca_key = self.tmp / "ca.key"
        key, csr, crt = self.dir / "server.key", self.tmp / "server.csr", self.dir / "server.crt"
        ext = self.tmp / "server.ext"
        ext.write_text(
            "basicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\n"
            "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        )
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        run_quiet([openssl, "req", "-x509", "-new", *ec, "-keyout", str(ca_key), "-out", str(self.ca),
                   "-days", "2", "-subj", "/CN=bs test root CA (stands in for the RDS CA bundle)",
                   "-addext", "basicConstraints=critical,CA:TRUE",
                   "-addext", "keyUsage=critical,keyCertSign,cRLSign"], "openssl (CA)")
        run_quiet([openssl, "req", "-new", *ec, "-keyout", str(key), "-out", str(csr),
                   "-subj", "/CN=127.0.0.1"], "openssl (server key)")
        run_quiet([openssl, "x509", "-req", "-in", str(csr), "-CA", str(self.ca), "-CAkey", str(ca_key),
                   "-set_serial", "0x" + secrets.token_hex(8), "-days", "2", "-extfile", str(ext),
                   "-out", str(crt)], "openssl (server certificate)")
        ca_key.unlink()
        self.ca.chmod(0o644)
        for f in (key, crt):
            os.chown(f, self.uid, self.gid)
        key.chmod(0o600)
        return key, crt

    def start(self):
        self.dir.mkdir(mode=0o700)
        os.chown(self.dir, self.uid, self.gid)
        key, crt = self._certs()
        run_quiet([str(self.bindir / "initdb"), "-D", str(self.data), "-U", BOOTSTRAP_USER,
                   "--auth-local=trust", "--auth-host=reject", "-E", "UTF8", "--locale=C",
                   "--no-instructions"], "initdb", cwd=self.dir, **self.run_as)
        with open(self.data / "postgresql.conf", "a") as f:
            f.write(
                "\n# tests/backstage/run.py: like Aurora PostgreSQL with rds.force_ssl=1\n"
                "listen_addresses = '127.0.0.1'\n"
                f"port = {self.port}\n"
                f"unix_socket_directories = '{self.dir}'\n"
                "ssl = on\n"
                f"ssl_cert_file = '{crt}'\n"
                f"ssl_key_file = '{key}'\n"
                "ssl_min_protocol_version = 'TLSv1.2'\n"
                "password_encryption = 'scram-sha-256'\n"
                "log_connections = on\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )
        # Only TLS over TCP: a connection without it finds no line and is refused
        # ("no pg_hba.conf entry for host ..., no encryption"), as with rds.force_ssl=1.
        (self.data / "pg_hba.conf").write_text(
            "# TYPE   DATABASE  USER          ADDRESS        METHOD\n"
            f"local    all       {BOOTSTRAP_USER}                 trust\n"
            "hostssl  all       all           127.0.0.1/32   scram-sha-256\n"
        )
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [str(self.bindir / "postgres"), "-D", str(self.data)], cwd=self.dir,
            stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, start_new_session=True, **self.run_as)
        logf.close()
        deadline = time.monotonic() + 30
        while True:
            r = subprocess.run([str(self.bindir / "pg_isready"), "-q", "-h", str(self.dir), "-p", str(self.port)],
                               stdin=subprocess.DEVNULL, capture_output=True)
            if r.returncode == 0:
                return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SetupError(f"PostgreSQL did not start:\n{tail(self.log)}")
            time.sleep(0.1)

    def psql_path(self):
        p = self.bindir / "psql"
        return str(p) if p.is_file() else (shutil.which("psql") or "psql")

    def admin(self, sql, variables):
        args = [self.psql_path(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.dir), "-p", str(self.port),
                "-U", BOOTSTRAP_USER, "-d", "postgres"]
        for k, v in variables.items():
            args += ["-v", f"{k}={v}"]
        run_quiet(args, "psql (creating the role)", input=sql, stdin=None,
                  env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})

    def create_role(self, user, password, db):
        # The rights of an RDS/Aurora master user: not a superuser, but may
        # create databases (Backstage makes one per plugin) and roles.
        sql = 'CREATE ROLE :"u" LOGIN CREATEDB CREATEROLE PASSWORD :\'p\';\n'
        variables = {"u": user, "p": password}
        if db:
            sql += 'CREATE DATABASE :"d" OWNER :"u";\n'
            variables["d"] = db
        self.admin(sql, variables)

    def query_tls(self, user, password, dbname, sql):
        """psql as the app's user over TCP with verified TLS; (ok, output)."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.tmp),
            "PGHOST": "127.0.0.1", "PGPORT": str(self.port), "PGUSER": user, "PGPASSWORD": password,
            "PGDATABASE": dbname, "PGSSLMODE": "verify-full", "PGSSLROOTCERT": str(self.ca),
            "PGCONNECT_TIMEOUT": "10",
        }
        r = subprocess.run([self.psql_path(), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                           env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        return r.returncode == 0, (r.stdout if r.returncode == 0 else r.stderr).strip()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ---------------------------------------------------------------- backend

class Backend:
    def __init__(self, env, tmp):
        node = shutil.which("node")
        if not node:
            raise SetupError("node not found on PATH")
        self.node = node
        self.env = env
        self.log = tmp / "backend.log"
        self.proc = None
        self.started = None

    def start(self):
        logf = open(self.log, "ab")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [self.node, "src/index.js", "--config", "app-config.yaml", "--config", "app-config.production.yaml"],
            cwd=HERE, env=self.env, stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, start_new_session=True)
        logf.close()

    def stop(self):
        """SIGTERM (what ECS sends first), SIGKILL after 30 s (ECS's default
        stopTimeout); returns the seconds to exit if it was running."""
        if not self.proc or self.proc.poll() is not None:
            return None
        t0 = time.monotonic()
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return round(time.monotonic() - t0, 2)

    def listening_on(self):
        """The address the backend says it listens on, if it said so yet."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return None
        m = re.findall(r"Listening on ([^\s\"\\]+)", text)
        return m[-1] if m else None


HINTS = (
    ("no encryption", "the database requires TLS and the backend connected without it: "
                      "the container needs PGSSLMODE (require, verify-full or no-verify)"),
    ("SSL off", "the database requires TLS and the backend connected without it: "
                "the container needs PGSSLMODE (require, verify-full or no-verify)"),
    ("verify the first certificate", "TLS to the database: the server's certificate is not trusted: "
                                     "NODE_EXTRA_CA_CERTS must name the CA bundle (the RDS one in the image)"),
    ("self-signed certificate", "TLS to the database: the server's certificate is not trusted: "
                                "NODE_EXTRA_CA_CERTS must name the CA bundle (the RDS one in the image)"),
    ("does not support SSL", "PGSSLMODE asks for TLS but the database server does not offer it"),
    ("password authentication failed", "POSTGRES_USER/POSTGRES_PASSWORD do not match the database's role"),
)


def problems_text(backend, n=5):
    problems, _ = backend_problems(backend.log)
    if problems:
        text = "\n".join(problems)
        hints = [h for k, h in HINTS if k in text]
        return ("; the backend logged:\n  " + "\n  ".join(problems[-n:])
                + "".join(f"\nhint: {h}" for h in dict.fromkeys(hints)))
    return f"; its log ends:\n{tail(backend.log, 10)}"


def wait_healthy(backend, port, path, grace):
    """Poll until PATH answers 200 on PORT; returns (seconds, status, body).
    Fails at once where waiting longer cannot help: the backend exited, or
    Backstage gave up starting (it then stays up, answering 503), or it is
    ready but on another port, or it is ready and PATH is not 200."""
    url = f"http://127.0.0.1:{port}{path}"
    deadline = backend.started + grace
    while True:
        status, body = http_get(url)
        now = time.monotonic()
        if status == 200:
            return round(now - backend.started, 2), status, body
        code = backend.proc.poll()
        if code is not None:
            raise Fail(f"the backend exited with code {code} before {path} answered 200 on port {port}"
                       + problems_text(backend))
        if backend_problems(backend.log)[1]:
            raise Fail(f"Backstage's start-up failed ({url}: {status or body})" + problems_text(backend))
        where = backend.listening_on()
        if where and status is None and not where.endswith(f":{port}"):
            ready, _ = http_get(f"http://127.0.0.1:{where.rsplit(':', 1)[-1]}{READINESS_PATH}")
            if ready == 200:
                raise Fail(f"nothing answers on port {port} (the health check's port): the backend listens on "
                           f"{where} (app-config: backend.listen.port = ${{CONTAINER_PORT}}; the env's "
                           f"CONTAINER_PORT: {backend.env.get('CONTAINER_PORT', '<unset>')})")
        if status is not None and path != READINESS_PATH:
            ready, _ = http_get(f"http://127.0.0.1:{port}{READINESS_PATH}")
            if ready == 200:
                status, body = http_get(url)
                if status != 200:
                    raise Fail(f"Backstage is ready ({READINESS_PATH} answers 200 on port {port}) but the health "
                               f"check path {path} answers {status} {body[:120]!r}")
                return round(time.monotonic() - backend.started, 2), status, body
        if now >= deadline:
            got = f"{status} {body[:160]!r}" if status is not None else f"no answer ({body})"
            raise Fail(f"{url} did not answer 200 within the {grace:g} s grace period; last: {got}"
                       + problems_text(backend))
        time.sleep(0.25)


def wait_ready(backend, port, path, grace):
    """PATH answered 200; so must Backstage's readiness endpoint, within the
    grace period: a path that answers 200 before (or without) the plugins
    starting, such as the liveness endpoint, would keep a broken backend in
    service."""
    url = f"http://127.0.0.1:{port}{READINESS_PATH}"
    while True:
        status, body = http_get(url)
        if status == 200:
            return
        failed = backend_problems(backend.log)[1] or backend.proc.poll() is not None
        if failed or time.monotonic() >= backend.started + grace:
            raise Fail(f"{path} answers 200 but Backstage did not start ({READINESS_PATH}: {status or body}): "
                       f"a health check on {path} would keep this backend in service" + problems_text(backend))
        time.sleep(0.25)


# ---------------------------------------------------------------- main

def load_env(path):
    try:
        env = json.loads(Path(path).read_text())
    except (OSError, ValueError) as e:
        raise SetupError(f"--env-file {path}: {e}")
    if not isinstance(env, dict):
        raise SetupError(f"--env-file {path}: must be a JSON object of name -> value")
    bad = [k for k, v in env.items() if not isinstance(v, str)]
    if bad:
        raise SetupError(f"--env-file {path}: values must be strings, as in a task definition: {', '.join(sorted(bad))}")
    return env


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--env-file", required=True, help="JSON object: the container's environment")
    ap.add_argument("--health-path", required=True, help="the target group's health check path")
    ap.add_argument("--grace", required=True, type=float, help="health check grace period, seconds")
    ap.add_argument("--port", type=int, help="the container port to probe (default: CONTAINER_PORT of the env)")
    ap.add_argument("--log-dir", help="copy the backend's and PostgreSQL's logs into this directory")
    ap.add_argument("--pg-bindir", help="PostgreSQL server binaries (default: on PATH or /usr/lib/postgresql/N/bin)")
    args = ap.parse_args(argv)

    result = {"ok": False}
    tmp = pg = backend = None
    code = 2
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)  # also when started with SIGINT ignored (a background job)
    try:
        env_in = load_env(args.env_file)
        if not args.health_path.startswith("/"):
            raise SetupError(f"--health-path must start with /, got {args.health_path!r}")
        port = args.port
        if port is None:
            if not env_in.get("CONTAINER_PORT", "").isdigit():
                raise SetupError("no --port and no numeric CONTAINER_PORT in the env: which port would the load balancer probe?")
            port = int(env_in["CONTAINER_PORT"])
        if port_in_use(port):
            raise SetupError(f"port {port} is already in use on this machine; free it first")
        bindir = find_pg_bindir(args.pg_bindir)

        npm_s = ensure_node_modules()
        result["npm_ci_s"] = npm_s

        tmp = Path(tempfile.mkdtemp(prefix="bs-backstage-"))
        tmp.chmod(0o711)  # the PostgreSQL user (nobody when root) must reach tmp/pg
        pg = Postgres(bindir, tmp)
        pg.start()
        user, password = env_in.get("POSTGRES_USER"), env_in.get("POSTGRES_PASSWORD")
        if user == BOOTSTRAP_USER:
            raise SetupError(f"POSTGRES_USER may not be {BOOTSTRAP_USER} (the local server's own superuser)")
        if user and password:
            pg.create_role(user, password, env_in.get("POSTGRES_DB"))
        else:
            log("the env has no POSTGRES_USER/POSTGRES_PASSWORD: no role created, the backend cannot log in")
        log(f"PostgreSQL {bindir.parent.name} on 127.0.0.1:{pg.port}, TLS required")

        # The image's environment (ENV lines of a new app's Dockerfile, and what
        # the node image gives), then the task definition's, which wins.
        env = {"PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"), "HOME": str(tmp),
               "NODE_ENV": "production"}
        env.update(env_in)
        overridden = {}
        for k, v in (("POSTGRES_HOST", "127.0.0.1"), ("POSTGRES_PORT", str(pg.port))):
            if k in env:
                overridden[k] = v
        for k in CA_PATH_VARS:
            if k in env:
                overridden[k] = str(pg.ca)
        env.update(overridden)
        result["overridden"] = sorted(overridden)
        result["tls_env"] = {k: env_in[k] for k in ("PGSSLMODE", *CA_PATH_VARS) if k in env_in}
        missing = [k for k in ("HOST_NAME", "DOMAIN_NAME", "CONTAINER_PORT", "POSTGRES_HOST", "POSTGRES_PORT",
                               "POSTGRES_USER", "POSTGRES_PASSWORD") if k not in env_in]
        if missing:
            log(f"the env lacks {', '.join(missing)}, used by app-config.production.yaml")

        backend = Backend(env, tmp)
        log(f"starting the backend; polling http://127.0.0.1:{port}{args.health_path} for up to {args.grace:g} s")
        backend.start()
        code = 1
        secs, status, body = wait_healthy(backend, port, args.health_path, args.grace)
        if args.health_path != READINESS_PATH:
            wait_ready(backend, port, args.health_path, args.grace)
        rss, _ = proc_mem_mib(backend.proc.pid)
        result.update(startup_s=secs, health={"port": port, "path": args.health_path, "status": status,
                                              "body": body[:200]})
        log(f"{args.health_path} answered 200 after {secs} s")

        ok, out = pg.query_tls(
            user or "", password or "", PLUGIN_DB,
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' ORDER BY 1")
        if not ok:
            raise Fail(f"psql (TLS, as {user}) could not read the tables of {PLUGIN_DB}: {out}")
        tables = out.split()
        result["database"] = PLUGIN_DB
        result["tables"] = tables
        missing_tables = [t for t in REQUIRED_TABLES if t not in tables]
        if missing_tables:
            raise Fail(f"the catalog's tables {', '.join(missing_tables)} are not in {PLUGIN_DB} "
                       f"(found: {', '.join(tables) or 'none'})")
        ok, out = pg.query_tls(user, password, "postgres",
                               "SELECT count(*) FILTER (WHERE ssl), count(*) FROM pg_stat_ssl "
                               "JOIN pg_stat_activity USING (pid) WHERE usename = current_user "
                               "AND application_name LIKE 'backstage_plugin_%'")
        if ok and "|" in out:
            tls_n, all_n = (int(x) for x in out.split("|"))
            result["backend_connections"] = {"tls": tls_n, "total": all_n}
        if backend.proc.poll() is not None:
            raise Fail(f"the backend exited (code {backend.proc.returncode}) after becoming healthy"
                       + problems_text(backend))
        # A new app's config falls back to its app-config.yaml where a variable
        # of the production file is unset (a missing HOST_NAME gives
        # backend.baseUrl http://localhost:7007, and Backstage only warns):
        # any warning or error at start-up fails the test.
        problems, _ = backend_problems(backend.log)
        result["backend_warnings"] = problems
        if problems:
            raise Fail("the backend started but logged warnings or errors:\n  " + "\n  ".join(problems))
        rss_now, hwm = proc_mem_mib(backend.proc.pid)
        result["rss_mib"] = {"at_ready": rss, "after_checks": rss_now, "peak": hwm}
        result["node"] = run_quiet([backend.node, "--version"], "node --version").strip()
        result["ok"] = True
        code = 0
    except Fail as e:
        result["error"] = str(e)
        log(f"FAIL: {e}")
        code = 1
    except SetupError as e:
        result["error"] = str(e)
        log(f"error: {e}")
        code = 2
    except (KeyboardInterrupt, Interrupted) as e:
        result["error"] = "interrupted"
        log("interrupted; cleaning up")
        code = 128 + getattr(e, "signum", signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            if backend:
                stop_s = backend.stop()
                if stop_s is not None and result.get("ok"):
                    result["stop_s"] = stop_s
            if pg:
                pg.stop()
            if args.log_dir and tmp:
                Path(args.log_dir).mkdir(parents=True, exist_ok=True)
                for f in ("backend.log", "postgres.log"):
                    if (tmp / f).is_file():
                        shutil.copyfile(tmp / f, Path(args.log_dir) / f)
        finally:
            if tmp:
                shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result, sort_keys=True), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
